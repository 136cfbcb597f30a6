#include "executor/lang/templating.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "executor/core/errors.h"
#include "executor/core/result_path.h"
#include "executor/core/text.h"
#include "executor/core/utf8.h"
#include "executor/lang/template_helpers.h"

namespace mqttest {

using nlohmann::json;

namespace {

/// A piece of a template string: literal text, or the inside of `{{ }}`.
struct token {
  enum class kind { text, action };
  kind type;
  std::string body;
};

/// Index of the `}}` closing the action that starts at `from`, skipping quoted strings.
std::size_t find_close(std::string_view text, std::size_t from) {
  for (std::size_t i = from; i + 1 < text.size(); ++i) {
    char c = text[i];
    if (c == '"' || c == '`') {
      for (++i; i < text.size() && text[i] != c; ++i)
        if (c == '"' && text[i] == '\\') ++i;
      if (i >= text.size()) return std::string_view::npos;
    } else if (c == '}' && text[i + 1] == '}') {
      return i;
    }
  }
  return std::string_view::npos;
}

void trim_right(std::string& s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
}

std::vector<token> tokenize(std::string_view text) {
  std::vector<token> tokens;
  std::size_t pos = 0;
  bool trim_next = false;
  while (pos < text.size()) {
    std::size_t open = text.find("{{", pos);
    std::string literal(text.substr(pos, open == std::string_view::npos ? open : open - pos));
    if (trim_next) {
      std::size_t first = 0;
      while (first < literal.size() && std::isspace(static_cast<unsigned char>(literal[first])))
        ++first;
      literal.erase(0, first);
    }
    std::size_t close = open == std::string_view::npos ? open : find_close(text, open + 2);
    if (open != std::string_view::npos && close == std::string_view::npos)
      throw template_error(fmt::format("unclosed \"{{{{\" in \"{}\"", text));
    std::string body =
        open == std::string_view::npos ? "" : std::string(text.substr(open + 2, close - open - 2));
    bool trim_before = body.size() >= 2 && body[0] == '-' && std::isspace(static_cast<unsigned char>(body[1]));
    trim_next = body.size() >= 2 && body.back() == '-' &&
                std::isspace(static_cast<unsigned char>(body[body.size() - 2]));
    if (trim_before) {
      trim_right(literal);
      body.erase(0, 1);
    }
    if (trim_next) body.pop_back();
    if (!literal.empty()) tokens.push_back({token::kind::text, literal});
    if (open == std::string_view::npos) break;
    tokens.push_back({token::kind::action, body});
    pos = close + 2;
  }
  return tokens;
}

// ---- parse -------------------------------------------------------------

struct pipeline;

struct operand {
  enum class kind { field, literal, helper, group };
  kind type = kind::literal;
  std::string text;                  ///< as written (fields: ".a.b")
  std::vector<std::string> chain;    ///< field segments
  json literal;
  const template_helper* helper = nullptr;
  std::shared_ptr<pipeline> group;
};

struct command {
  std::vector<operand> operands;
};

struct pipeline {
  std::vector<command> commands;
};

/// The character at byte `at`: all of a multi-byte UTF-8 sequence, not its
/// first byte alone (error messages must stay UTF-8).
std::string_view character_at(std::string_view text, std::size_t at) {
  return text.substr(at, std::max<std::size_t>(utf8_sequence(text, at), 1));
}

bool is_field_char(char c) {
  return !std::isspace(static_cast<unsigned char>(c)) && std::string_view("|()\"`{}.").find(c) == std::string_view::npos;
}

class action_parser {
 public:
  explicit action_parser(std::string_view action)
      : text_(action), max_depth_(limit_value(kMaxTemplateDepth)) {}

  pipeline parse() {
    pipeline p = parse_pipeline();
    skip_blanks();
    if (at_ < text_.size())
      throw template_error(fmt::format("unexpected \"{}\" in template \"{{{{{}}}}}\"",
                                       character_at(text_, at_), text_));
    return p;
  }

 private:
  void skip_blanks() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
  }

  pipeline parse_pipeline() {
    pipeline p;
    for (;;) {
      p.commands.push_back(parse_command(!p.commands.empty()));
      skip_blanks();
      if (at_ >= text_.size() || text_[at_] != '|') break;
      ++at_;
    }
    return p;
  }

  command parse_command(bool piped) {
    command c;
    for (;;) {
      skip_blanks();
      if (at_ >= text_.size() || text_[at_] == '|' || text_[at_] == ')') break;
      c.operands.push_back(parse_operand());
    }
    if (c.operands.empty())
      throw template_error(text_.find_first_not_of(" \t\r\n") == std::string_view::npos
                               ? std::string("empty template \"{{}}\"")
                               : fmt::format("missing value in template \"{{{{{}}}}}\"", text_));
    const operand& head = c.operands.front();
    if (head.type != operand::kind::helper) {
      if (c.operands.size() > 1 || piped)
        throw template_error(fmt::format("\"{}\" is not a helper and cannot take arguments in \"{{{{{}}}}}\"",
                                         head.text, text_));
      return c;
    }
    int count = static_cast<int>(c.operands.size()) - 1 + (piped ? 1 : 0);
    const template_helper& h = *head.helper;
    if (count < h.min_args || (h.max_args >= 0 && count > h.max_args)) {
      std::string wanted = h.min_args == h.max_args ? std::to_string(h.min_args)
                           : h.max_args < 0        ? fmt::format("at least {}", h.min_args)
                                                   : fmt::format("{} to {}", h.min_args, h.max_args);
      throw template_error(fmt::format("{}: takes {} argument{}, got {}", h.name, wanted,
                                       wanted == "1" ? "" : "s", count));
    }
    for (std::size_t i = 1; i < c.operands.size(); ++i)
      if (c.operands[i].type == operand::kind::helper && c.operands[i].helper->min_args > 0)
        throw template_error(fmt::format("{}: helper \"{}\" needs arguments; use ( ) around it",
                                         h.name, c.operands[i].text));
    return c;
  }

  operand parse_operand() {
    char c = text_[at_];
    if (c == '(') return parse_group();
    if (c == '"' || c == '`') return parse_string();
    if (c == '.') return parse_field();
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        ((c == '-' || c == '+') && at_ + 1 < text_.size() &&
         std::isdigit(static_cast<unsigned char>(text_[at_ + 1]))))
      return parse_number();
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') return parse_word();
    throw template_error(fmt::format("unexpected \"{}\" in template \"{{{{{}}}}}\"",
                                     character_at(text_, at_), text_));
  }

  operand parse_group() {
    ++at_;
    if (++depth_ > max_depth_)
      throw template_limit_error(fmt::format("\"(\" in a template nested deeper than {}",
                                             limit_text(kMaxTemplateDepth, max_depth_)));
    operand o;
    o.type = operand::kind::group;
    o.group = std::make_shared<pipeline>(parse_pipeline());
    --depth_;
    skip_blanks();
    if (at_ >= text_.size() || text_[at_] != ')')
      throw template_error(fmt::format("unclosed \"(\" in template \"{{{{{}}}}}\"", text_));
    ++at_;
    o.text = "( )";
    return o;
  }

  operand parse_string() {
    char quote = text_[at_];
    std::size_t start = at_++;
    std::string value;
    for (; at_ < text_.size() && text_[at_] != quote; ++at_) {
      char c = text_[at_];
      if (quote == '"' && c == '\\' && at_ + 1 < text_.size()) {
        char e = text_[++at_];
        value += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
      } else {
        value += c;
      }
    }
    if (at_ >= text_.size())
      throw template_error(fmt::format("unterminated string in template \"{{{{{}}}}}\"", text_));
    ++at_;
    operand o;
    o.literal = value;
    o.text = std::string(text_.substr(start, at_ - start));
    return o;
  }

  operand parse_field() {
    std::size_t start = at_;
    operand o;
    o.type = operand::kind::field;
    ++at_;
    while (at_ < text_.size() && is_field_char(text_[at_])) {
      std::size_t begin = at_;
      while (at_ < text_.size() && is_field_char(text_[at_])) ++at_;
      o.chain.emplace_back(text_.substr(begin, at_ - begin));
      if (at_ < text_.size() && text_[at_] == '.') {
        ++at_;
        if (at_ >= text_.size() || !is_field_char(text_[at_])) {
          while (at_ < text_.size() && !std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
          throw template_error(fmt::format("bad field name \"{}\"", text_.substr(start, at_ - start)));
        }
      }
    }
    o.text = std::string(text_.substr(start, at_ - start));
    if (at_ < text_.size() && text_[at_] == '.')
      throw template_error(fmt::format("bad field name \"{}.\"", o.text));
    return o;
  }

  operand parse_number() {
    std::size_t start = at_++;
    while (at_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[at_])) ||
                                  text_[at_] == '.' || text_[at_] == '_'))
      ++at_;
    operand o;
    o.text = std::string(text_.substr(start, at_ - start));
    o.literal = json::parse(o.text, nullptr, false);
    if (o.literal.is_discarded() || !o.literal.is_number())
      throw template_error(fmt::format("bad number \"{}\" in template \"{{{{{}}}}}\"", o.text, text_));
    return o;
  }

  operand parse_word() {
    std::size_t start = at_;
    while (at_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[at_])) || text_[at_] == '_')) ++at_;
    operand o;
    o.text = std::string(text_.substr(start, at_ - start));
    if (o.text == "true" || o.text == "false") {
      o.literal = o.text == "true";
      return o;
    }
    if (o.text == "nil") return o;
    o.type = operand::kind::helper;
    o.helper = find_template_helper(o.text);
    if (!o.helper) {
      std::string guess = did_you_mean(o.text, template_helper_names());
      throw template_error(fmt::format("unknown template helper \"{}\"{}", o.text,
                                       guess.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", guess)));
    }
    return o;
  }

  std::string_view text_;
  std::size_t at_ = 0;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
};

/// Parses an action body; nullopt for a comment.
std::optional<pipeline> parse_action(std::string_view body) {
  std::string_view inner = trim(body, " \t\r\n");  // Go templates' white space
  if (inner.size() >= 4 && inner.substr(0, 2) == "/*" && inner.substr(inner.size() - 2) == "*/")
    return std::nullopt;
  return action_parser(body).parse();
}

// ---- evaluate ----------------------------------------------------------

/// A value, or the name of the undefined variable it came from.
struct value {
  json data;
  std::string undefined;
};

const json* child(const json& node, const std::string& segment) {
  if (node.is_object()) {
    auto it = node.find(segment);
    return it == node.end() ? nullptr : &*it;
  }
  if (node.is_array() && !segment.empty() &&
      segment.find_first_not_of("0123456789") == std::string::npos && segment.size() < 10) {
    std::size_t index = std::stoul(segment);
    return index < node.size() ? &node[index] : nullptr;
  }
  return nullptr;
}

std::string join(const std::vector<std::string>& segments, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += (i ? "." : "") + segments[i];
  return out;
}

std::optional<json> lookup(const std::vector<std::string>& chain, const json& vars) {
  if (chain.empty()) return vars;
  // Flattened names ("venom.testsuite.filename", "case.temp") win, longest first.
  for (std::size_t count = chain.size(); count >= 1; --count) {
    const json* node = nullptr;
    if (count == 1) {
      node = child(vars, chain[0]);
    } else if (vars.is_object()) {
      auto it = vars.find(join(chain, count));
      if (it != vars.end()) node = &*it;
    }
    for (std::size_t i = count; node && i < chain.size(); ++i) node = child(*node, chain[i]);
    if (node) return *node;
  }
  // Venom's flattened result paths: .result.messagesjson.messagesjson0.c
  if (chain.size() > 1) return resolve_path(vars, join(chain, chain.size()));
  return std::nullopt;
}

value run_pipeline(const pipeline& p, const json& vars);

value run_operand(const operand& o, const json& vars) {
  switch (o.type) {
    case operand::kind::field: {
      auto found = lookup(o.chain, vars);
      if (!found) return {nullptr, o.text};
      return {*found, {}};
    }
    case operand::kind::group:
      return run_pipeline(*o.group, vars);
    case operand::kind::helper:
      return {o.helper->call({}), {}};
    case operand::kind::literal:
      break;
  }
  return {o.literal, {}};
}

[[noreturn]] void undefined(const std::string& name) {
  throw template_error(fmt::format("undefined variable \"{}\"", name));
}

value run_command(const command& c, const value* piped, const json& vars) {
  const operand& head = c.operands.front();
  if (head.type != operand::kind::helper) return run_operand(head, vars);
  const template_helper& h = *head.helper;
  std::vector<json> args;
  auto add = [&](const value& v) {
    if (!v.undefined.empty() && h.name != "default") undefined(v.undefined);
    args.push_back(v.data);
  };
  for (std::size_t i = 1; i < c.operands.size(); ++i) add(run_operand(c.operands[i], vars));
  if (piped) add(*piped);
  return {h.call(args), {}};
}

value run_pipeline(const pipeline& p, const json& vars) {
  value current = run_command(p.commands.front(), nullptr, vars);
  for (std::size_t i = 1; i < p.commands.size(); ++i)
    current = run_command(p.commands[i], &current, vars);
  return current;
}

json evaluate(std::string_view body, const json& vars, bool& is_comment) {
  std::optional<pipeline> p = parse_action(body);
  is_comment = !p;
  if (!p) return "";
  value v = run_pipeline(*p, vars);
  if (!v.undefined.empty()) undefined(v.undefined);
  return v.data;
}

std::string render(const json& value) {
  return value.is_string() ? value.get<std::string>()
                           : value.dump(-1, ' ', false, json::error_handler_t::replace);
}

void check_interrupt(const expansion_context& context) {
  if (context.interrupted != nullptr && context.interrupted->load())
    throw template_interrupted("interrupted while expanding templates");
}

void check_size(std::size_t size, const expansion_context& context) {
  if (size > context.max_bytes)
    throw template_limit_error(fmt::format("template output is larger than {}",
                                           limit_text(kMaxTemplateBytes, context.max_bytes)));
}

/// Calls `f` with each field chain (".a.b" -> {a, b}) used in `p`.
void for_each_field(const pipeline& p, const std::function<void(const operand&)>& f) {
  for (const command& c : p.commands)
    for (const operand& o : c.operands) {
      if (o.type == operand::kind::field) f(o);
      if (o.type == operand::kind::group) for_each_field(*o.group, f);
    }
}

/// Calls `f` with each string inside `value`.
void for_each_string(const json& value, const std::function<void(const std::string&)>& f) {
  if (value.is_string()) f(value.get_ref<const std::string&>());
  if (value.is_structured())
    for (const json& item : value) for_each_string(item, f);
}

/// The names of `vars` that `value`'s templates use (by the lookup rule:
/// the longest flattened name first).
std::vector<std::string> used_vars(const json& value, const json& vars) {
  std::vector<std::string> used;
  for_each_string(value, [&](const std::string& text) {
    if (!has_template(text)) return;
    std::vector<token> tokens;
    try {
      tokens = tokenize(text);
    } catch (const template_error&) {
      return;
    }
    for (const token& t : tokens) {
      if (t.type != token::kind::action) continue;
      std::optional<pipeline> p;
      try {
        p = parse_action(t.body);
      } catch (const template_limit_error&) {
        throw;
      } catch (const template_error&) {
        continue;
      }
      if (!p) continue;
      for_each_field(*p, [&](const operand& o) {
        for (std::size_t count = o.chain.size(); count >= 1; --count) {
          std::string name = join(o.chain, count);
          if (vars.contains(name)) {
            used.push_back(name);
            break;
          }
        }
      });
    }
  });
  return used;
}

class vars_expander {
 public:
  vars_expander(json& vars, const expansion_context& context) : vars_(vars), context_(context) {}

  void expand(const std::string& name) {
    if (done_.contains(name)) return;
    if (auto open = std::find(path_.begin(), path_.end(), name); open != path_.end()) {
      std::string cycle;
      for (auto it = open; it != path_.end(); ++it) cycle += *it + " -> ";
      throw template_limit_error(fmt::format("vars {}{} form a cycle", cycle, name));
    }
    if (path_.size() >= context_.max_depth) {
      std::string chain;
      for (const std::string& var : path_) chain += var + " -> ";
      throw template_limit_error(fmt::format("vars {}{} nest deeper than {}", chain, name,
                                             limit_text(kMaxTemplateDepth, context_.max_depth)));
    }
    check_interrupt(context_);
    json& value = vars_[name];
    path_.push_back(name);
    for (const std::string& used : used_vars(value, vars_)) expand(used);
    try {
      value = expand_all(value, vars_, context_);
    } catch (const template_limit_error& e) {
      throw template_limit_error(fmt::format("vars.{}: {}", name, e.what()));
    } catch (const template_interrupted&) {
      throw;
    } catch (const template_error&) {
      // Uses a variable not defined yet (e.g. a step's result): stays as written.
    }
    path_.pop_back();
    done_.insert(name);
  }

 private:
  json& vars_;
  const expansion_context& context_;
  std::vector<std::string> path_;
  std::set<std::string> done_;
};

}  // namespace

json expand(const std::string& text, const json& vars, const expansion_context& context) {
  if (!has_template(text)) return text;
  check_interrupt(context);
  std::vector<token> tokens = tokenize(text);
  bool comment = false;
  if (tokens.size() == 1 && tokens.front().type == token::kind::action) {
    json result = evaluate(tokens.front().body, vars, comment);
    if (result.is_string()) check_size(result.get_ref<const std::string&>().size(), context);
    return comment ? json("") : result;
  }
  std::string out;
  for (const token& t : tokens) {
    check_interrupt(context);
    if (t.type == token::kind::text)
      out += t.body;
    else
      out += render(evaluate(t.body, vars, comment));
    check_size(out.size(), context);
  }
  return out;
}

json expand_all(const json& value, const json& vars, const expansion_context& context) {
  if (value.is_string()) return expand(value.get<std::string>(), vars, context);
  if (value.is_object()) {
    json out = json::object();
    for (auto it = value.begin(); it != value.end(); ++it)
      out[it.key()] = expand_all(it.value(), vars, context);
    return out;
  }
  if (value.is_array()) {
    json out = json::array();
    for (const auto& element : value) out.push_back(expand_all(element, vars, context));
    return out;
  }
  return value;
}

void expand_vars(json& vars, const expansion_context& context) {
  if (!vars.is_object()) return;
  std::vector<std::string> names;
  for (const auto& [name, value] : vars.items()) {
    bool templated = false;
    for_each_string(value, [&](const std::string& text) { templated |= has_template(text); });
    if (templated) names.push_back(name);
  }
  vars_expander expander(vars, context);
  for (const std::string& name : names) expander.expand(name);
}

std::string expand_text(const std::string& text, const json& vars) {
  return render(expand(text, vars));
}

void check_template(const std::string& text) {
  if (!has_template(text)) return;
  for (const token& t : tokenize(text))
    if (t.type == token::kind::action) parse_action(t.body);
}

bool has_template(const std::string& text) { return text.find("{{") != std::string::npos; }

}  // namespace mqttest
