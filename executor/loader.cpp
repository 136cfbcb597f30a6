#include "executor/loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <utility>

#include "steps/step.h"

namespace mqttest {

using nlohmann::json;
using pointer = json::json_pointer;

namespace {

const std::vector<std::string> suite_keys = {"name", "description", "version", "vars", "testcases"};
const std::vector<std::string> case_keys = {"name", "steps"};
const std::vector<std::string> generic_step_keys = {"type", "name", "assertions", "info"};

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

/// The canonical spelling of `key` among `known` (case-insensitive), or "".
std::string canonical(const std::string& key, const std::vector<std::string>& known) {
  for (const auto& name : known)
    if (name == key) return name;
  for (const auto& name : known)
    if (iequals(name, key)) return name;
  return {};
}

std::string type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      return "a map";
    case json::value_t::array:
      return "a list";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::null:
      return "null";
    default:
      return "a number";
  }
}

/// A key of a map as written, with its canonical spelling.
struct key_entry {
  std::string written;
  std::string name;
  pointer ptr;
};

class suite_loader {
 public:
  explicit suite_loader(std::shared_ptr<const document> doc) : doc_(std::move(doc)) {}

  suite load(const std::string& path) {
    suite s;
    s.file = path;
    s.name = std::filesystem::path(path).stem().string();
    s.doc = doc_;
    const pointer root;
    expect(root, json::value_t::object, "a suite must be a map, got {}");
    bool has_cases = false;
    for (const key_entry& key : keys(root, suite_keys, "suite")) {
      const json& value = at(key.ptr);
      if (key.name == "name") {
        s.name = text(key.ptr, "name");
      } else if (key.name == "description" || key.name == "version") {
        text(key.ptr, key.name);
      } else if (key.name == "vars") {
        if (!value.is_null()) s.vars = expect_map(key.ptr, "vars");
      } else if (key.name == "testcases") {
        has_cases = true;
        expect_list(key.ptr, "testcases");
        for (std::size_t i = 0; i < value.size(); ++i) s.cases.push_back(load_case(key.ptr / i, i));
      }
    }
    if (!has_cases) throw doc_->error(doc_->value_at(root), "suite needs \"testcases\"");
    return s;
  }

 private:
  test_case load_case(const pointer& ptr, std::size_t index) {
    expect(ptr, json::value_t::object, "test case must be a map, got {}");
    test_case c;
    c.name = fmt::format("testcase {}", index + 1);
    c.where = doc_->value_at(ptr);
    bool has_steps = false;
    for (const key_entry& key : keys(ptr, case_keys, "test case")) {
      if (key.name == "name") {
        c.name = text(key.ptr, "name");
      } else if (key.name == "steps") {
        has_steps = true;
        expect_list(key.ptr, "steps");
        for (std::size_t i = 0; i < at(key.ptr).size(); ++i)
          c.steps.push_back(load_step(key.ptr / i));
      }
    }
    if (!has_steps) throw doc_->error(c.where, "test case needs \"steps\"");
    return c;
  }

  step_spec load_step(const pointer& ptr) {
    expect(ptr, json::value_t::object, "step must be a map, got {}");
    step_spec spec;
    spec.pointer = ptr;
    spec.where = doc_->value_at(ptr);
    spec.fields = json::object();
    spec.kind = find_kind(ptr, spec.type);
    std::vector<std::string> known = generic_step_keys;
    std::vector<std::string> kind_fields = spec.kind->fields();
    known.insert(known.end(), kind_fields.begin(), kind_fields.end());
    for (const key_entry& key : keys(ptr, known, "step")) {
      if (key.name == "type") continue;
      if (key.name == "name") {
        spec.name = text(key.ptr, "name");
      } else if (key.name == "assertions") {
        spec.assertions = load_assertions(key.ptr);
      } else if (key.name == "info") {
        spec.info = load_info(key.ptr);
      } else {
        spec.fields[key.name] = at(key.ptr);
      }
    }
    with_source_line([&] { spec.kind->validate(spec.fields, step_locator(ptr)); });
    return spec;
  }

  const step_kind* find_kind(const pointer& step, std::string& type) {
    const json& map = at(step);
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (!iequals(it.key(), "type")) continue;
      pointer ptr = step / it.key();
      type = text(ptr, "type");
      if (const step_kind* kind = find_step_kind(type)) return kind;
      std::vector<std::string> names = step_kind_names();
      std::string guess = did_you_mean(type, names);
      std::string hint = guess.empty() ? fmt::format("known types: {}", fmt::join(names, ", "))
                                       : fmt::format("did you mean \"{}\"?", guess);
      throw doc_->error(doc_->value_at(ptr),
                        fmt::format("unknown step type \"{}\" ({})", type, hint));
    }
    throw doc_->error(doc_->value_at(step), "step needs \"type\"");
  }

  std::vector<assertion> load_assertions(const pointer& ptr) {
    std::vector<assertion> out;
    if (at(ptr).is_null()) return out;
    expect_list(ptr, "assertions");
    for (std::size_t i = 0; i < at(ptr).size(); ++i)
      with_source_line([&] { out.push_back(parse_assertion(*doc_, ptr / i)); });
    return out;
  }

  std::vector<std::string> load_info(const pointer& ptr) {
    const json& value = at(ptr);
    if (value.is_null()) return {};
    if (value.is_string()) return {value.get<std::string>()};
    if (!value.is_array())
      throw doc_->error(
          doc_->value_at(ptr),
          fmt::format("\"info\" must be a string or a list of strings, got {}", type_name(value)));
    std::vector<std::string> lines;
    for (std::size_t i = 0; i < value.size(); ++i) lines.push_back(text(ptr / i, "info"));
    return lines;
  }

  /// Keys of the map at `ptr` in source order, with canonical names; an
  /// unknown key or two spellings of one key is an error.
  std::vector<key_entry> keys(const pointer& ptr, const std::vector<std::string>& known,
                              std::string_view where) {
    std::vector<key_entry> entries;
    for (const auto& [written, value] : at(ptr).items())
      entries.push_back({written, {}, ptr / written});
    std::sort(entries.begin(), entries.end(), [&](const key_entry& a, const key_entry& b) {
      position pa = doc_->key_at(a.ptr), pb = doc_->key_at(b.ptr);
      return std::tie(pa.line, pa.column) < std::tie(pb.line, pb.column);
    });
    for (std::size_t i = 0; i < entries.size(); ++i) {
      key_entry& key = entries[i];
      key.name = canonical(key.written, known);
      if (key.name.empty()) unknown_key(key, known, where);
      for (std::size_t j = 0; j < i; ++j) {
        if (entries[j].name != key.name) continue;
        throw doc_->error(doc_->key_at(key.ptr),
                          fmt::format("duplicate key \"{}\" (first at line {})", key.written,
                                      doc_->key_at(entries[j].ptr).line));
      }
    }
    return entries;
  }

  [[noreturn]] void unknown_key(const key_entry& key, const std::vector<std::string>& known,
                                std::string_view where) const {
    std::string guess = did_you_mean(key.written, known);
    std::string message = fmt::format("unknown key \"{}\" in {}", key.written, where);
    if (!guess.empty()) message += fmt::format(" (did you mean \"{}\"?)", guess);
    throw doc_->error(doc_->key_at(key.ptr), message);
  }

  /// Positions for a step kind: pointers relative to the step's map, with
  /// keys in canonical spelling; each segment matches the document's key
  /// case-insensitively.
  locate_fn step_locator(const pointer& step) const {
    return [doc = doc_, step](const pointer& relative) {
      pointer actual = step;
      const json* node = &doc->root.at(step);
      std::vector<std::string> segments;
      for (pointer p = relative; !p.empty(); p = p.parent_pointer()) segments.push_back(p.back());
      std::reverse(segments.begin(), segments.end());
      for (const std::string& segment : segments) {
        std::string key = segment;
        if (node && node->is_object() && !node->contains(segment)) {
          for (auto it = node->begin(); it != node->end(); ++it)
            if (iequals(it.key(), segment)) key = it.key();
        }
        actual /= key;
        node = node && doc->root.contains(actual) ? &doc->root.at(actual) : nullptr;
      }
      return doc->value_at(actual);
    };
  }

  template <class F>
  void with_source_line(F&& f) const {
    try {
      f();
    } catch (const config_error& e) {
      if (e.where().file != doc_->file || e.where().line == 0) throw;
      throw doc_->error(e.where(), e.message());
    }
  }

  const json& at(const pointer& ptr) const { return doc_->root.at(ptr); }

  void expect(const pointer& ptr, json::value_t type, std::string_view message) const {
    const json& value = at(ptr);
    if (value.type() == type) return;
    throw doc_->error(doc_->value_at(ptr), fmt::format(fmt::runtime(message), type_name(value)));
  }

  void expect_list(const pointer& ptr, std::string_view name) const {
    if (at(ptr).is_array()) return;
    throw doc_->error(doc_->value_at(ptr),
                      fmt::format("\"{}\" must be a list, got {}", name, type_name(at(ptr))));
  }

  const json& expect_map(const pointer& ptr, std::string_view name) const {
    if (!at(ptr).is_object())
      throw doc_->error(doc_->value_at(ptr),
                        fmt::format("\"{}\" must be a map, got {}", name, type_name(at(ptr))));
    return at(ptr);
  }

  /// A string value; numbers are taken as their text (`version: 2`).
  std::string text(const pointer& ptr, std::string_view name) const {
    const json& value = at(ptr);
    if (value.is_string()) return value.get<std::string>();
    if (value.is_number()) return value.dump();
    throw doc_->error(doc_->value_at(ptr),
                      fmt::format("\"{}\" must be a string, got {}", name, type_name(value)));
  }

  std::shared_ptr<const document> doc_;
};

}  // namespace

suite load_suite(const std::string& path) { return suite_loader(load_document(path)).load(path); }

std::vector<std::string> collect_suite_files(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) throw usage_error(fmt::format("no such file or directory: {}", path));
  if (!fs::is_directory(status)) return {path};
  std::vector<std::string> files;
  for (auto it = fs::recursive_directory_iterator(path, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string extension = it->path().extension().string();
    if ((extension == ".yml" || extension == ".yaml") && it->is_regular_file(ec))
      files.push_back(it->path().string());
  }
  if (ec) throw usage_error(fmt::format("cannot read directory {}: {}", path, ec.message()));
  std::sort(files.begin(), files.end());
  if (files.empty()) throw usage_error(fmt::format("no suite files (*.yml, *.yaml) in {}", path));
  return files;
}

}  // namespace mqttest
