#include "executor/core/document.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "executor/core/limits.h"
#include "executor/core/utf8.h"

namespace mqttest {

using nlohmann::json;

namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

std::string_view without_sign(std::string_view s) {
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) s.remove_prefix(1);
  return s;
}

bool looks_like_int(std::string_view s) { return all_digits(without_sign(s)); }

/// YAML 1.2 core float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool looks_like_float(std::string_view s) {
  s = without_sign(s);
  std::size_t exponent = s.find_first_of("eE");
  std::string_view mantissa = s.substr(0, exponent);
  if (exponent != std::string_view::npos && !looks_like_int(s.substr(exponent + 1))) return false;
  std::size_t dot = mantissa.find('.');
  if (dot == std::string_view::npos) return all_digits(mantissa);
  std::string_view whole = mantissa.substr(0, dot);
  std::string_view fraction = mantissa.substr(dot + 1);
  if (whole.empty()) return all_digits(fraction);
  return all_digits(whole) && (fraction.empty() || all_digits(fraction));
}

/// A float's value; one beyond a double's range (1e999, 1e-999) stays its
/// text, for the field checks to name, instead of std::stod's out_of_range
/// ending the process (found by fuzz_suite_loader).
json float_or_text(const std::string& text) {
  try {
    return std::stod(text);
  } catch (const std::out_of_range&) {
    return text;
  }
}

json plain_scalar(const std::string& text) {
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (looks_like_int(text)) {
    std::string_view digits = text.front() == '+' ? std::string_view(text).substr(1) : text;
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec == std::errc() && end == digits.data() + digits.size()) return value;
    std::uint64_t big = 0;
    auto [big_end, big_ec] = std::from_chars(digits.data(), digits.data() + digits.size(), big);
    if (big_ec == std::errc() && big_end == digits.data() + digits.size()) return big;
    return float_or_text(text);
  }
  if (looks_like_float(text)) return float_or_text(text);
  return text;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  return lines;
}

class builder {
 public:
  explicit builder(document& doc) : doc_(doc) {}

  json build(const YAML::Node& node, const json::json_pointer& ptr) {
    doc_.value_marks[ptr.to_string()] = mark_of(node);
    switch (node.Type()) {
      case YAML::NodeType::Map:
        return build_map(node, ptr);
      case YAML::NodeType::Sequence:
        return build_list(node, ptr);
      case YAML::NodeType::Scalar:
        return build_scalar(node);
      default:
        return nullptr;
    }
  }

 private:
  position mark_of(const YAML::Node& node) const {
    YAML::Mark mark = node.Mark();
    if (mark.is_null()) return {doc_.file, 0, 0};
    return {doc_.file, mark.line + 1, mark.column + 1};
  }

  /// yaml-cpp marks an empty value (`key:` and nothing) at the next token;
  /// the key is the better place to point at.
  position null_value_mark(const YAML::Node& value, const position& key) const {
    position where = mark_of(value);
    if (where.line == 0 || where.line > static_cast<int>(doc_.lines.size())) return key;
    std::string_view rest = doc_.lines[where.line - 1];
    rest.remove_prefix(std::min<std::size_t>(where.column - 1, rest.size()));
    bool written = rest.starts_with("~") || rest.starts_with("null") || rest.starts_with("Null") ||
                   rest.starts_with("NULL");
    return written && where.line >= key.line ? where : key;
  }

  json build_map(const YAML::Node& node, const json::json_pointer& ptr) {
    json object = json::object();
    std::vector<YAML::Node> merged;
    for (const auto& entry : node) {
      const YAML::Node key_node = entry.first;
      const YAML::Node value = entry.second;
      position key_where = mark_of(key_node);
      if (key_node.IsMap() || key_node.IsSequence())
        throw doc_.error(key_where, "map keys must be scalars");
      std::string key = key_node.IsNull() ? "null" : key_node.Scalar();
      if (key == "<<" && key_node.Tag() == "?") {
        add_merge_sources(value, key_where, merged);
        continue;
      }
      json::json_pointer child = ptr / key;
      if (object.contains(key)) {
        throw doc_.error(key_where, fmt::format("duplicate key \"{}\" (first at line {})", key,
                                                doc_.key_marks[child.to_string()].line));
      }
      doc_.key_marks[child.to_string()] = key_where;
      object[key] = build(value, child);
      if (value.IsNull()) doc_.value_marks[child.to_string()] = null_value_mark(value, key_where);
    }
    merge(merged, ptr, object);
    return object;
  }

  /// YAML merge keys (`<<: *anchor` or `<<: [*a, *b]`), as Go's yaml (Venom) reads them.
  void add_merge_sources(const YAML::Node& value, const position& key_where,
                         std::vector<YAML::Node>& merged) const {
    std::vector<YAML::Node> sources;
    if (value.IsSequence()) {
      for (std::size_t i = 0; i < value.size(); ++i) sources.push_back(value[i]);
    } else {
      sources.push_back(value);
    }
    for (const YAML::Node& source : sources) {
      if (!source.IsMap())
        throw doc_.error(key_where, "a merge key \"<<\" needs a map or a list of maps");
      merged.push_back(source);
    }
  }

  /// Adds the entries of `sources` that `object` does not set itself; earlier
  /// sources win over later ones.
  void merge(const std::vector<YAML::Node>& sources, const json::json_pointer& ptr, json& object) {
    for (const YAML::Node& source : sources) {
      for (const auto& entry : source) {
        const YAML::Node key_node = entry.first;
        std::string key = key_node.IsNull() ? "null" : key_node.Scalar();
        if (object.contains(key)) continue;
        json::json_pointer child = ptr / key;
        doc_.key_marks[child.to_string()] = mark_of(key_node);
        object[key] = build(entry.second, child);
      }
    }
  }

  json build_list(const YAML::Node& node, const json::json_pointer& ptr) {
    json array = json::array();
    for (std::size_t i = 0; i < node.size(); ++i) array.push_back(build(node[i], ptr / i));
    return array;
  }

  static json build_scalar(const YAML::Node& node) {
    const std::string& tag = node.Tag();
    if (tag == "!" || tag == "tag:yaml.org,2002:str") return node.Scalar();
    return plain_scalar(node.Scalar());
  }

  document& doc_;
};

/// YAML 1.2 reads a lone CR (old Mac line ends) as a line break; yaml-cpp
/// does not, so lone CRs become LFs before parsing.
std::string normalize_line_breaks(std::string text) {
  for (std::size_t i = text.find('\r'); i != std::string::npos; i = text.find('\r', i + 1))
    if (i + 1 == text.size() || text[i + 1] != '\n') text[i] = '\n';
  return text;
}

/// The line and column (in characters) of byte `at` of `text`.
position position_of(const std::string& text, std::size_t at, const std::string& name) {
  std::size_t line_start = text.rfind('\n', at == 0 ? 0 : at - 1);
  line_start = line_start == std::string::npos || at == 0 ? 0 : line_start + 1;
  int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
  int column = 1;
  for (std::size_t i = line_start; i < at; ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  return {name, line, column};
}

/// A suite is UTF-8 text. yaml-cpp would read a file with a UTF-16 or UTF-32
/// byte order mark, or with NULs among its first bytes, as UTF-16/32, and
/// stop reading a line at a NUL: either way its errors and values would no
/// longer match the file.
void check_text(const std::string& text, const document& doc) {
  if (text.starts_with("\xFE\xFF") || text.starts_with("\xFF\xFE") ||
      text.starts_with(std::string_view("\0\0\xFE\xFF", 4)))
    throw doc.error({doc.file, 1, 1},
                    "the file starts with a UTF-16 or UTF-32 byte order mark: a suite is UTF-8 "
                    "text (convert it, e.g. with iconv -t UTF-8)");
  if (std::size_t at = text.find('\0'); at != std::string::npos)
    throw doc.error(position_of(text, at, doc.file),
                    "NUL byte in the file: a suite is UTF-8 text (is this a UTF-16 or binary "
                    "file?)");
}

/// Walks the parser's events before any node is built and rejects what
/// would blow up the build: invalid UTF-8 in a key or a scalar, nesting
/// beyond the depth limit, aliases that expand beyond the node limit
/// (billion laughs), and aliases inside their own anchor (cycles).
class event_checker final : public YAML::EventHandler {
 public:
  explicit event_checker(const document& doc)
      : doc_(doc), max_depth_(limit_value(kMaxYamlDepth)), max_nodes_(limit_value(kMaxYamlNodes)) {}

  /// A suite is one document. yaml-cpp 0.7 reports a stray "," at the top
  /// level as an endless run of empty documents that never move past it.
  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ == 1) {
      first_document_ = mark;
      return;
    }
    if (mark.line == first_document_.line && mark.column == first_document_.column) {
      std::size_t line = static_cast<std::size_t>(mark.line);
      std::size_t column = static_cast<std::size_t>(mark.column);
      std::string at = line < doc_.lines.size() && column < doc_.lines[line].size()
                           ? std::string(1, doc_.lines[line][column])
                           : "";
      throw error(mark, fmt::format("YAML syntax error: unexpected \"{}\"", at));
    }
    first_document_ = mark;  // a real second document: the loader names it
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    add_node(mark, 1, 0);
    remember(anchor, {1, 0});
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    for (const frame& open : stack_)
      if (open.anchor == anchor)
        throw error(mark, fmt::format("alias *{} refers to a node that contains it: anchors must "
                                      "not form a cycle",
                                      name_of(anchor)));
    auto it = shapes_.find(anchor);
    shape s = it == shapes_.end() ? shape{1, 0} : it->second;
    add_node(mark, s.nodes, s.depth);
  }

  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    if (std::size_t at = invalid_utf8_at(value); at != std::string::npos) {
      bool key = !stack_.empty() && stack_.back().is_map && stack_.back().children % 2 == 0;
      throw error(mark,
                  fmt::format("{} is not valid UTF-8 (byte 0x{:02x} at offset {})",
                              key ? "key" : "value", static_cast<unsigned char>(value[at]), at));
    }
    add_node(mark, 1, 0);
    remember(anchor, {1, 0});
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    start(mark, anchor, false);
  }
  void OnSequenceEnd() override { end(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    start(mark, anchor, true);
  }
  void OnMapEnd() override { end(); }

  void OnAnchor(const YAML::Mark&, const std::string& name) override { last_anchor_name_ = name; }

 private:
  std::size_t documents_ = 0;
  YAML::Mark first_document_;
  struct shape {
    std::size_t nodes;
    std::size_t depth;  ///< levels of maps and lists, 0 for a scalar
  };
  struct frame {
    YAML::anchor_t anchor;
    bool is_map;
    std::size_t nodes_before;
    std::size_t deepest_child = 0;
    std::size_t children = 0;
  };

  config_error error(const YAML::Mark& mark, const std::string& message) const {
    return doc_.error({doc_.file, mark.line + 1, mark.column + 1}, message);
  }

  std::string name_of(YAML::anchor_t anchor) const {
    auto it = names_.find(anchor);
    return it == names_.end() ? std::to_string(anchor) : it->second;
  }

  void remember(YAML::anchor_t anchor, shape s) {
    if (anchor == YAML::NullAnchor) return;
    shapes_[anchor] = s;
    names_[anchor] = last_anchor_name_;
  }

  void add_node(const YAML::Mark& mark, std::size_t nodes, std::size_t depth) {
    if (stack_.size() + depth > max_depth_)
      throw error(mark,
                  fmt::format("YAML nested deeper than {}", limit_text(kMaxYamlDepth, max_depth_)));
    nodes_ += nodes;
    if (nodes_ > max_nodes_)
      throw error(mark, fmt::format("YAML document expands (aliases included) beyond {}",
                                    limit_text(kMaxYamlNodes, max_nodes_)));
    if (!stack_.empty()) {
      frame& parent = stack_.back();
      parent.deepest_child = std::max(parent.deepest_child, depth);
      ++parent.children;
    }
  }

  void start(const YAML::Mark& mark, YAML::anchor_t anchor, bool is_map) {
    add_node(mark, 1, 1);
    if (anchor != YAML::NullAnchor) names_[anchor] = last_anchor_name_;
    stack_.push_back({anchor, is_map, nodes_ - 1});
  }

  void end() {
    frame done = stack_.back();
    stack_.pop_back();
    shape s{nodes_ - done.nodes_before, done.deepest_child + 1};
    if (!stack_.empty())
      stack_.back().deepest_child = std::max(stack_.back().deepest_child, s.depth);
    if (done.anchor != YAML::NullAnchor) shapes_[done.anchor] = s;
  }

  const document& doc_;
  std::size_t max_depth_;
  std::size_t max_nodes_;
  std::size_t nodes_ = 0;
  std::vector<frame> stack_;
  std::unordered_map<YAML::anchor_t, shape> shapes_;
  std::unordered_map<YAML::anchor_t, std::string> names_;
  std::string last_anchor_name_;
};

/// Parses `text`; nullopt when it holds no YAML document at all.
std::optional<std::shared_ptr<document>> parse(const std::string& raw, const std::string& name) {
  const std::string text = normalize_line_breaks(raw);
  auto doc = std::make_shared<document>();
  doc->file = name;
  doc->lines = split_lines(text);
  check_text(text, *doc);
  std::vector<YAML::Node> nodes;
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    event_checker checker(*doc);
    while (parser.HandleNextDocument(checker)) {
    }
    nodes = YAML::LoadAll(text);
  } catch (const YAML::ParserException& e) {
    position where{name, e.mark.is_null() ? 1 : e.mark.line + 1,
                   e.mark.is_null() ? 1 : e.mark.column + 1};
    if (where.line > static_cast<int>(doc->lines.size()) && !doc->lines.empty()) {
      where.line =
          static_cast<int>(doc->lines.size());  // at end of input: point past the last line
      where.column = static_cast<int>(doc->lines.back().size()) + 1;
    }
    throw doc->error(where, "YAML syntax error: " + e.msg);
  }
  if (nodes.empty()) return std::nullopt;
  if (nodes.size() > 1) {
    YAML::Mark mark = nodes[1].Mark();
    throw doc->error({name, mark.line + 1, mark.column + 1},
                     "a suite file holds one YAML document, found a second one");
  }
  doc->root = builder(*doc).build(nodes.front(), json::json_pointer());
  return doc;
}

/// Reads a regular file of at most the suite size limit (reading one byte
/// more to notice a larger one). A FIFO or a device is refused: opening does
/// not block (O_NONBLOCK) and nothing is read from it.
std::string read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw config_error({path}, fmt::format("cannot read file: {}", std::strerror(errno)));
  auto fail = [&](const std::string& message) {
    ::close(fd);
    return config_error({path}, message);
  };
  struct stat info {};
  if (::fstat(fd, &info) != 0)
    throw fail(fmt::format("cannot read file: {}", std::strerror(errno)));
  if (S_ISDIR(info.st_mode)) throw fail(fmt::format("cannot read file: {}", std::strerror(EISDIR)));
  if (!S_ISREG(info.st_mode)) {
    std::string_view kind = S_ISFIFO(info.st_mode)                           ? "a FIFO"
                            : S_ISCHR(info.st_mode) || S_ISBLK(info.st_mode) ? "a device"
                                                                             : "a socket";
    throw fail(fmt::format("cannot read file: {}, not a regular file", kind));
  }
  const std::size_t max_bytes = limit_value(kMaxSuiteBytes);
  std::string text;
  char buffer[65536];
  while (text.size() <= max_bytes) {
    std::size_t want = std::min(sizeof buffer, max_bytes + 1 - text.size());
    ssize_t n = ::read(fd, buffer, want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw fail(fmt::format("cannot read file: {}", std::strerror(errno)));
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (text.size() > max_bytes)
    throw config_error(
        {path}, fmt::format("file is larger than {}", limit_text(kMaxSuiteBytes, max_bytes)));
  return text;
}

}  // namespace

position document::value_at(const json::json_pointer& ptr) const {
  for (json::json_pointer p = ptr;; p = p.parent_pointer()) {
    if (auto it = value_marks.find(p.to_string()); it != value_marks.end()) return it->second;
    if (p.empty()) return {file, 0, 0};
  }
}

position document::key_at(const json::json_pointer& ptr) const {
  if (auto it = key_marks.find(ptr.to_string()); it != key_marks.end()) return it->second;
  return value_at(ptr);
}

config_error document::error(const position& where, const std::string& message) const {
  std::string source_line;
  if (where.line > 0 && where.line <= static_cast<int>(lines.size()))
    source_line = lines[where.line - 1];
  return config_error(where, message, source_line);
}

locate_fn document::locator() const {
  return [this](const json::json_pointer& ptr) { return value_at(ptr); };
}

std::shared_ptr<const document> load_document(const std::string& path) {
  std::string text = read_file(path);
  auto doc = parse(text, path);
  if (!doc) {
    document empty;
    empty.file = path;
    empty.lines = split_lines(text);
    throw empty.error({path, 1, 1}, "empty suite file");
  }
  return *doc;
}

std::shared_ptr<const document> parse_document(const std::string& text, const std::string& name) {
  auto doc = parse(text, name);
  if (doc) return *doc;
  auto empty = std::make_shared<document>();
  empty->file = name;
  empty->root = nullptr;
  empty->value_marks[""] = {name, 1, 1};
  return empty;
}

}  // namespace mqttest
