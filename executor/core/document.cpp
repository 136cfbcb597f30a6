#include "executor/core/document.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <sstream>

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
    return std::stod(text);
  }
  if (looks_like_float(text)) return std::stod(text);
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

/// Parses `text`; nullopt when it holds no YAML document at all.
std::optional<std::shared_ptr<document>> parse(const std::string& text, const std::string& name) {
  auto doc = std::make_shared<document>();
  doc->file = name;
  doc->lines = split_lines(text);
  std::vector<YAML::Node> nodes;
  try {
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

std::string read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw config_error({path}, fmt::format("cannot read file: {}", std::strerror(errno)));
  std::string text;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      ::close(fd);
      throw config_error({path}, fmt::format("cannot read file: {}", std::strerror(error)));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
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
