#include "executor/suite/loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include <re2/re2.h>
#include <utility>

#include "executor/suite/suite_schema.h"
#include "executor/lang/templating.h"
#include "executor/core/text.h"
#include "executor/core/value_compare.h"
#include "executor/suite/user_executor.h"
#include "steps/field_spec.h"
#include "steps/step.h"

namespace mqttest {

using nlohmann::json;
using pointer = json::json_pointer;

namespace {

const std::vector<std::string> suite_keys = field_names(suite_table());
const std::vector<std::string> case_keys = field_names(test_case_table());
const std::vector<std::string> generic_step_keys = field_names(step_table());
const std::vector<std::string> executor_keys = {"executor", "input", "steps", "output"};
const std::vector<std::string> extract_keys = field_names(step_var_table());

/// User executors shared by a suite and the executor files it loads.
struct executor_library {
  const step_registry& kinds;
  bool lenient_keys = false;          ///< unknown keys are warnings, and dropped
  std::vector<std::string>* warnings = nullptr;
  std::map<std::string, std::string> files;  ///< name -> file
  std::map<std::string, std::shared_ptr<const user_executor>> loaded;
  std::vector<std::string> loading;          ///< the chain being loaded, for recursion
};

/// The canonical spelling of `key` among `known` (case-insensitive), or "".
std::string canonical(const std::string& key, const std::vector<std::string>& known) {
  for (const auto& name : known)
    if (name == key) return name;
  for (const auto& name : known)
    if (iequals(name, key)) return name;
  return {};
}

/// A key of a map as written, with its canonical spelling.
struct key_entry {
  std::string written;
  std::string name;
  pointer ptr;
};

class suite_loader {
 public:
  suite_loader(std::shared_ptr<const document> doc, executor_library& library)
      : doc_(std::move(doc)), library_(library) {}

  std::shared_ptr<const user_executor> load_executor(const std::string& name) {
    auto ex = std::make_shared<user_executor>();
    ex->name = name;
    ex->file = doc_->file;
    ex->doc = doc_;
    const pointer root;
    expect(root, json::value_t::object, "a user executor must be a map, got {}");
    check_templates(root);
    bool has_steps = false;
    for (const key_entry& key : keys(root, executor_keys, "user executor")) {
      const json& value = at(key.ptr);
      if (key.name == "input") {
        if (!value.is_null()) ex->input = expect_map(key.ptr, "input");
      } else if (key.name == "output") {
        ex->output = value;
      } else if (key.name == "steps") {
        has_steps = true;
        expect_list(key.ptr, "steps");
        for (std::size_t i = 0; i < value.size(); ++i) ex->steps.push_back(load_step(key.ptr / i));
      }
    }
    if (!has_steps) throw doc_->error(doc_->value_at(root), "user executor needs \"steps\"");
    return ex;
  }

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
      } else if (key.name == "secrets") {
        if (value.is_null()) continue;
        expect_list(key.ptr, "secrets");
        for (std::size_t i = 0; i < value.size(); ++i)
          s.secrets.push_back(string_value(key.ptr / i, "secrets"));
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
      } else if (key.name == "vars") {
        check_templates(key.ptr);
        if (!at(key.ptr).is_null()) c.vars = expect_map(key.ptr, "vars");
      } else if (key.name == "skip") {
        c.skip = load_assertions(key.ptr, "skip");
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
    check_templates(ptr);
    spec.kind = find_kind(ptr, spec.type, spec.user);
    std::vector<std::string> known = generic_step_keys;
    std::vector<std::string> kind_fields;
    if (spec.user) {
      for (const auto& [name, value] : spec.user->input.items()) kind_fields.push_back(name);
    } else {
      kind_fields = spec.kind->fields();
    }
    known.insert(known.end(), kind_fields.begin(), kind_fields.end());
    for (const key_entry& key : keys(ptr, known, "step")) {
      if (key.name == "type") continue;
      if (key.name == "name") {
        spec.name = text(key.ptr, "name");
      } else if (key.name == "assertions") {
        spec.assertions = load_assertions(key.ptr);
      } else if (key.name == "info") {
        spec.info = load_info(key.ptr);
      } else if (key.name == "vars") {
        spec.extract = load_extract(key.ptr);
      } else if (key.name == "skip") {
        spec.skip = load_assertions(key.ptr, "skip");
      } else if (key.name == "retry_if") {
        spec.retry_if = load_assertions(key.ptr, "retry_if");
      } else if (key.name == "range") {
        spec.range = load_range(key.ptr);
      } else if (key.name == "retry") {
        spec.retry = load_count(key.ptr, "retry", true);
      } else if (key.name == "delay") {
        spec.delay = load_count(key.ptr, "delay", false);
      } else {
        json& field = spec.fields[key.name] = at(key.ptr);
        if (library_.lenient_keys && spec.kind != nullptr && spec.kind->spec != nullptr)
          if (const field_spec* fs = find_field(spec.kind->spec(), key.name))
            drop_unknown_nested(field, *fs, key.ptr);
      }
    }
    if (!spec.user) with_source_line([&] { spec.kind->validate(spec.fields, step_locator(ptr)); });
    return spec;
  }

  const step_kind* find_kind(const pointer& step, std::string& type,
                             std::shared_ptr<const user_executor>& user) {
    const json& map = at(step);
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (!iequals(it.key(), "type")) continue;
      pointer ptr = step / it.key();
      type = text(ptr, "type");
      if (const step_kind* kind = library_.kinds.find(type)) return kind;
      if (library_.files.count(type)) {
        user = use_executor(type, ptr);
        return nullptr;
      }
      std::vector<std::string> names = library_.kinds.names();
      for (const auto& [name, file] : library_.files) names.push_back(name);
      std::string guess = did_you_mean(type, names);
      std::string hint = guess.empty() ? fmt::format("known types: {}", fmt::join(names, ", "))
                                       : fmt::format("did you mean \"{}\"?", guess);
      throw doc_->error(doc_->value_at(ptr),
                        fmt::format("unknown step type \"{}\" ({})", type, hint));
    }
    // Venom runs a step without `type` as an exec step.
    const step_kind* exec = library_.kinds.find("exec");
    bool has_script = false;
    for (auto it = map.begin(); it != map.end(); ++it) has_script |= iequals(it.key(), "script");
    if (exec != nullptr && has_script) {
      type = "exec";
      return exec;
    }
    throw doc_->error(
        doc_->value_at(step),
        exec != nullptr
            ? "step has no \"type\" and no \"script\" (Venom would run it as an empty exec "
              "step that only evaluates its assertions): give it a type (mqtt, exec or a user "
              "executor) or a script"
            : "step needs \"type\"");
  }

  std::shared_ptr<const user_executor> use_executor(const std::string& name, const pointer& ptr) {
    if (auto it = library_.loaded.find(name); it != library_.loaded.end()) return it->second;
    auto& chain = library_.loading;
    if (std::find(chain.begin(), chain.end(), name) != chain.end()) {
      auto first = std::find(chain.begin(), chain.end(), name);
      std::vector<std::string> loop(first, chain.end());
      loop.push_back(name);
      throw doc_->error(doc_->value_at(ptr), fmt::format("user executor recursion: {}",
                                                         fmt::join(loop, " -> ")));
    }
    chain.push_back(name);
    auto ex = suite_loader(load_document(library_.files.at(name)), library_).load_executor(name);
    chain.pop_back();
    library_.loaded[name] = ex;
    return ex;
  }

  /// Every string below `ptr` must be a well-formed template.
  void check_templates(const pointer& ptr) const {
    const json& value = at(ptr);
    if (value.is_string()) {
      try {
        check_template(value.get<std::string>());
      } catch (const template_error& e) {
        throw doc_->error(doc_->value_at(ptr), e.what());
      }
    } else if (value.is_array()) {
      for (std::size_t i = 0; i < value.size(); ++i) check_templates(ptr / i);
    } else if (value.is_object()) {
      for (const auto& [key, item] : value.items()) check_templates(ptr / key);
    }
  }

  json load_extract(const pointer& ptr) {
    json out = json::object();
    if (at(ptr).is_null()) return out;
    expect_map(ptr, "vars");
    for (const auto& [name, item] : at(ptr).items()) {
      pointer var = ptr / name;
      expect_map(var, "vars." + name);
      bool has_from = false;
      for (const key_entry& key : keys(var, extract_keys, "step vars")) {
        if (key.name == "from") has_from = true, string_value(key.ptr, "from");
        if (key.name == "regex") {
          RE2 re(string_value(key.ptr, "regex"), RE2::Quiet);
          if (!re.ok())
            throw doc_->error(doc_->value_at(key.ptr),
                              fmt::format("bad regex in \"vars.{}\": {}", name, re.error()));
        }
        out[name][key.name] = at(key.ptr);
      }
      if (!has_from)
        throw doc_->error(doc_->value_at(var),
                          fmt::format("\"vars.{}\" needs \"from\" (a result path)", name));
    }
    return out;
  }

  json load_range(const pointer& ptr) {
    const json& value = at(ptr);
    if (value.is_array() || value.is_object()) return value;
    if (value.is_number_integer() && value.get<long long>() >= 0) return value;
    if (value.is_string() && has_template(value.get<std::string>())) return value;
    throw doc_->error(doc_->value_at(ptr),
                      fmt::format("\"range\" must be a list, a map, an integer >= 0 or a template, "
                                  "got {} ({})",
                                  kind_phrase(value), render(value)));
  }

  json load_count(const pointer& ptr, std::string_view name, bool integer) {
    const json& value = at(ptr);
    if (value.is_string() && has_template(value.get<std::string>())) return value;
    bool ok = integer ? value.is_number_integer() : value.is_number();
    if (ok && value.get<double>() >= 0) return value;
    throw doc_->error(doc_->value_at(ptr),
                      fmt::format("\"{}\" must be {} >= 0, got {}", name,
                                  integer ? "an integer" : "a number of seconds", render(value)));
  }

  std::vector<assertion> load_assertions(const pointer& ptr, std::string_view name = "assertions") {
    std::vector<assertion> out;
    if (at(ptr).is_null()) return out;
    expect_list(ptr, name);
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
          fmt::format("\"info\" must be a string or a list of strings, got {}", kind_phrase(value)));
    std::vector<std::string> lines;
    for (std::size_t i = 0; i < value.size(); ++i) lines.push_back(string_value(ptr / i, "info"));
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
      if (key.name.empty() && library_.lenient_keys) {
        warn_unknown(key.written, key.ptr, known, where);
        entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(i--));
        continue;
      }
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

  static std::string unknown_key_message(const std::string& written,
                                         const std::vector<std::string>& known,
                                         std::string_view where) {
    std::string guess = did_you_mean(written, known);
    std::string message = fmt::format("unknown key \"{}\" in {}", written, where);
    if (!guess.empty()) message += fmt::format(" (did you mean \"{}\"?)", guess);
    return message;
  }

  [[noreturn]] void unknown_key(const key_entry& key, const std::vector<std::string>& known,
                                std::string_view where) const {
    throw doc_->error(doc_->key_at(key.ptr), unknown_key_message(key.written, known, where));
  }

  /// --lenient-keys: Venom drops unknown keys silently; mqttest says so.
  void warn_unknown(const std::string& written, const pointer& ptr,
                    const std::vector<std::string>& known, std::string_view where) const {
    library_.warnings->push_back(fmt::format("{}: {} (ignored: --lenient-keys)",
                                             to_string(doc_->key_at(ptr)),
                                             unknown_key_message(written, known, where)));
  }

  /// --lenient-keys: drops (and warns about) unknown keys in the nested maps
  /// of a step kind's field, by the kind's field spec.
  void drop_unknown_nested(json& value, const field_spec& field, const pointer& ptr) const {
    if (field.table == nullptr) return;
    auto prune = [&](json& map, const pointer& at) {
      if (!map.is_object()) return;
      std::vector<std::string> known = field_names(*field.table);
      for (auto it = map.begin(); it != map.end();) {
        const field_spec* inner = find_field(*field.table, it.key());
        if (inner == nullptr) {
          warn_unknown(it.key(), at / it.key(), known, field.table->name);
          it = map.erase(it);
          continue;
        }
        drop_unknown_nested(it.value(), *inner, at / it.key());
        ++it;
      }
    };
    if (value.is_object()) prune(value, ptr);
    if (value.is_array())
      for (std::size_t i = 0; i < value.size(); ++i) prune(value[i], ptr / i);
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
    throw doc_->error(doc_->value_at(ptr), fmt::format(fmt::runtime(message), kind_phrase(value)));
  }

  void expect_list(const pointer& ptr, std::string_view name) const {
    if (at(ptr).is_array()) return;
    throw doc_->error(doc_->value_at(ptr),
                      fmt::format("\"{}\" must be a list, got {}", name, kind_phrase(at(ptr))));
  }

  const json& expect_map(const pointer& ptr, std::string_view name) const {
    if (!at(ptr).is_object())
      throw doc_->error(doc_->value_at(ptr),
                        fmt::format("\"{}\" must be a map, got {}", name, kind_phrase(at(ptr))));
    return at(ptr);
  }

  /// A string value; numbers are taken as their text (`version: 2`).
  std::string text(const pointer& ptr, std::string_view name) const {
    const json& value = at(ptr);
    if (value.is_string()) return value.get<std::string>();
    if (value.is_number()) return value.dump();
    throw doc_->error(doc_->value_at(ptr),
                      fmt::format("\"{}\" must be a string, got {}", name, kind_phrase(value)));
  }

  /// A string value, numbers not taken.
  std::string string_value(const pointer& ptr, std::string_view name) const {
    const json& value = at(ptr);
    if (value.is_string()) return value.get<std::string>();
    throw doc_->error(doc_->value_at(ptr),
                      fmt::format("\"{}\" must be a string, got {}", name, kind_phrase(value)));
  }

  std::shared_ptr<const document> doc_;
  executor_library& library_;
};

}  // namespace

suite load_suite(const std::string& path, const step_registry& kinds,
                 const std::vector<std::string>& lib_dirs, bool lenient_keys) {
  auto doc = load_document(path);
  std::vector<std::string> warnings;
  executor_library library{kinds, lenient_keys, &warnings, {}, {}, {}};
  library.files = find_user_executors(path, lib_dirs);
  suite loaded = suite_loader(doc, library).load(path);
  loaded.warnings = std::move(warnings);
  return loaded;
}

std::vector<std::string> collect_suite_files(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) throw usage_error(fmt::format("no such file or directory: {}", path));
  if (!fs::is_directory(status)) return {path};
  std::vector<std::string> files;
  for (auto it = fs::recursive_directory_iterator(path, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && it->path().filename() == "lib") {
      it.disable_recursion_pending();  // Venom's user executors, not suites
      continue;
    }
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
