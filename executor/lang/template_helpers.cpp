#include "executor/lang/template_helpers.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <random>

#include "executor/lang/template_date.h"
#include "executor/lang/templating.h"
#include "executor/core/text.h"
#include "executor/core/value_compare.h"

namespace mqttest {
namespace {

using nlohmann::json;
using args_t = std::vector<json>;

[[noreturn]] void wrong_type(std::string_view helper, std::string_view wanted, const json& got) {
  throw template_error(
      fmt::format("{}: expects {}, got {} ({})", helper, wanted, kind_phrase(got), render(got)));
}

const std::string& str(std::string_view helper, const json& value) {
  if (!value.is_string()) wrong_type(helper, "a string", value);
  return value.get_ref<const std::string&>();
}

/// Integers for sprig's int helpers: numbers (floats truncated) and numeric strings.
std::int64_t integer(std::string_view helper, const json& value) {
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number_float()) return static_cast<std::int64_t>(value.get<double>());
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    std::size_t used = 0;
    try {
      std::int64_t n = std::stoll(s, &used);
      if (used == s.size()) return n;
    } catch (const std::exception&) {
    }
  }
  wrong_type(helper, "a number", value);
}

bool is_float_arg(const json& value) {
  if (value.is_number_float()) return true;
  if (!value.is_string()) return false;
  const std::string& s = value.get_ref<const std::string&>();
  return s.find_first_of(".eE") != std::string::npos && s.find_first_not_of("+-0123456789.eE") == std::string::npos;
}

double real(std::string_view helper, const json& value) {
  if (value.is_number()) return value.get<double>();
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    std::size_t used = 0;
    try {
      double d = std::stod(s, &used);
      if (used == s.size()) return d;
    } catch (const std::exception&) {
    }
  }
  wrong_type(helper, "a number", value);
}

std::string text_of(const json& value) {
  return value.is_string() ? value.get<std::string>() : render(value);
}

std::string map_chars(const std::string& s, int (*f)(int)) {
  std::string out = s;
  for (char& c : out) c = static_cast<char>(f(static_cast<unsigned char>(c)));
  return out;
}

json h_upper(const args_t& a) { return map_chars(str("upper", a[0]), ::toupper); }
json h_lower(const args_t& a) { return to_lower(str("lower", a[0])); }

json h_title(const args_t& a) {
  std::string out = str("title", a[0]);
  bool start = true;
  for (char& c : out) {
    bool letter = std::isalnum(static_cast<unsigned char>(c)) != 0;
    if (start && letter) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    start = !letter && c != '\'';
  }
  return out;
}

json h_trim(const args_t& a) { return std::string(trim(str("trim", a[0]))); }

json h_trim_prefix(const args_t& a) {
  const std::string& prefix = str("trimPrefix", a[0]);
  const std::string& s = str("trimPrefix", a[1]);
  return s.rfind(prefix, 0) == 0 ? s.substr(prefix.size()) : s;
}

json h_trim_suffix(const args_t& a) {
  const std::string& suffix = str("trimSuffix", a[0]);
  const std::string& s = str("trimSuffix", a[1]);
  if (s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0)
    return s.substr(0, s.size() - suffix.size());
  return s;
}

json h_replace(const args_t& a) {
  const std::string& from = str("replace", a[0]);
  const std::string& to = str("replace", a[1]);
  std::string s = str("replace", a[2]);
  if (from.empty()) return s;
  for (std::size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size())
    s.replace(at, from.size(), to);
  return s;
}

json h_default(const args_t& a) { return is_empty_value(a[1]) ? a[0] : a[1]; }

json h_quote(const args_t& a) {
  std::vector<std::string> parts;
  for (const json& v : a) parts.push_back(render(json(text_of(v))));
  return fmt::format("{}", fmt::join(parts, " "));
}

json h_squote(const args_t& a) {
  std::vector<std::string> parts;
  for (const json& v : a) parts.push_back(fmt::format("'{}'", text_of(v)));
  return fmt::format("{}", fmt::join(parts, " "));
}

std::string indent_text(std::string_view helper, const args_t& a) {
  std::int64_t n = integer(helper, a[0]);
  if (n < 0) throw template_error(fmt::format("{}: expects a count of spaces >= 0, got {}", helper, n));
  std::string pad(static_cast<std::size_t>(n), ' ');
  std::string out = pad;
  for (char c : text_of(a[1])) {
    out += c;
    if (c == '\n') out += pad;
  }
  return out;
}

json h_indent(const args_t& a) { return indent_text("indent", a); }
json h_nindent(const args_t& a) { return fmt::format("\n{}", indent_text("nindent", a)); }
json h_to_json(const args_t& a) { return render(a[0]); }
json h_to_pretty_json(const args_t& a) {
  return a[0].dump(2, ' ', false, json::error_handler_t::replace);
}

json h_from_json(const args_t& a) {
  const std::string& s = str("fromJSON", a[0]);
  json parsed = json::parse(s, nullptr, false);
  if (parsed.is_discarded())
    throw template_error(fmt::format("fromJSON: not valid JSON: {}", render(json(s))));
  return parsed;
}

constexpr std::string_view b64_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

json h_b64enc(const args_t& a) { return base64_encode(text_of(a[0])); }

json h_b64dec(const args_t& a) {
  const std::string& s = str("b64dec", a[0]);
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : s) {
    if (c == '=') break;
    std::size_t v = b64_alphabet.find(c);
    if (v == std::string_view::npos)
      throw template_error(fmt::format("b64dec: not valid base64: {}", render(json(s))));
    bits = bits << 6 | static_cast<std::uint32_t>(v);
    if ((count += 6) >= 8) {
      count -= 8;
      out += static_cast<char>(bits >> count & 0xff);
    }
  }
  return out;
}

json h_urlquery(const args_t& a) {
  std::string out;
  std::string joined;
  for (const json& v : a) joined += text_of(v);
  for (unsigned char c : joined) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      out += static_cast<char>(c);
    else if (c == ' ')
      out += '+';
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

json h_len(const args_t& a) {
  const json& v = a[0];
  if (v.is_string()) return v.get_ref<const std::string&>().size();
  if (v.is_array() || v.is_object()) return v.size();
  wrong_type("len", "a string, a list or a map", v);
}

std::string random_from(std::string_view helper, const json& count, std::string_view alphabet) {
  std::int64_t n = integer(helper, count);
  if (n < 0 || n > 1'000'000)
    throw template_error(fmt::format("{}: expects a length from 0 to 1000000, got {}", helper, n));
  std::random_device device;
  std::mt19937_64 engine(device());
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string out;
  for (std::int64_t i = 0; i < n; ++i) out += alphabet[pick(engine)];
  return out;
}

json h_rand_alnum(const args_t& a) {
  return random_from("randAlphaNum", a[0],
                     "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
}
json h_rand_numeric(const args_t& a) { return random_from("randNumeric", a[0], "0123456789"); }

json h_uuidv4(const args_t&) {
  std::random_device device;
  std::mt19937_64 engine(device());
  std::uint64_t hi = engine(), lo = engine();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  std::string hex = fmt::format("{:016x}{:016x}", hi, lo);
  return fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4),
                     hex.substr(16, 4), hex.substr(20));
}

json h_now(const args_t&) { return format_rfc3339(time_now()); }

json h_date(const args_t& a) {
  const std::string& layout = str("date", a[0]);
  const json& when = a[1];
  go_time t;
  if (when.is_number()) {
    t.seconds = integer("date", when);
    t.zone = "UTC";
  } else if (when.is_string()) {
    auto parsed = parse_go_time(when.get_ref<const std::string&>());
    if (!parsed) wrong_type("date", "a time (RFC 3339 text or Unix seconds)", when);
    t = *parsed;
  } else {
    wrong_type("date", "a time (RFC 3339 text or Unix seconds)", when);
  }
  return format_go_layout(t, layout);
}

template <class IntOp, class RealOp>
json arithmetic(std::string_view helper, const args_t& a, IntOp int_op, RealOp real_op) {
  bool floating = std::any_of(a.begin(), a.end(), is_float_arg);
  if (floating) {
    double acc = real(helper, a[0]);
    for (std::size_t i = 1; i < a.size(); ++i) acc = real_op(acc, real(helper, a[i]));
    return acc;
  }
  std::int64_t acc = integer(helper, a[0]);
  for (std::size_t i = 1; i < a.size(); ++i) acc = int_op(acc, integer(helper, a[i]));
  return acc;
}

void check_divisor(std::string_view helper, double divisor) {
  if (divisor == 0) throw template_error(fmt::format("{}: division by zero", helper));
}

json h_add(const args_t& a) {
  return arithmetic("add", a, std::plus<std::int64_t>(), std::plus<double>());
}
json h_sub(const args_t& a) {
  return arithmetic("sub", a, std::minus<std::int64_t>(), std::minus<double>());
}
json h_mul(const args_t& a) {
  return arithmetic("mul", a, std::multiplies<std::int64_t>(), std::multiplies<double>());
}
json h_div(const args_t& a) {
  check_divisor("div", real("div", a[1]));
  return arithmetic("div", a, std::divides<std::int64_t>(), std::divides<double>());
}
json h_mod(const args_t& a) {
  check_divisor("mod", real("mod", a[1]));
  return arithmetic("mod", a, std::modulus<std::int64_t>(),
                    [](double x, double y) { return std::fmod(x, y); });
}

const template_helper helpers[] = {
    {"upper", 1, 1, h_upper},
    {"lower", 1, 1, h_lower},
    {"title", 1, 1, h_title},
    {"trim", 1, 1, h_trim},
    {"trimPrefix", 2, 2, h_trim_prefix},
    {"trimSuffix", 2, 2, h_trim_suffix},
    {"replace", 3, 3, h_replace},
    {"default", 2, 2, h_default},
    {"quote", 1, -1, h_quote},
    {"squote", 1, -1, h_squote},
    {"indent", 2, 2, h_indent},
    {"nindent", 2, 2, h_nindent},
    {"toJSON", 1, 1, h_to_json},
    {"toPrettyJSON", 1, 1, h_to_pretty_json},
    {"fromJSON", 1, 1, h_from_json},
    {"b64enc", 1, 1, h_b64enc},
    {"b64dec", 1, 1, h_b64dec},
    {"urlquery", 1, -1, h_urlquery},
    {"len", 1, 1, h_len},
    {"randAlphaNum", 1, 1, h_rand_alnum},
    {"randNumeric", 1, 1, h_rand_numeric},
    {"uuidv4", 0, 0, h_uuidv4},
    {"now", 0, 0, h_now},
    {"date", 2, 2, h_date},
    {"add", 2, -1, h_add},
    {"sub", 2, 2, h_sub},
    {"mul", 2, -1, h_mul},
    {"div", 2, 2, h_div},
    {"mod", 2, 2, h_mod},
};

}  // namespace

const template_helper* find_template_helper(std::string_view name) {
  for (const template_helper& h : helpers)
    if (h.name == name) return &h;
  return nullptr;
}

std::vector<std::string> template_helper_names() {
  std::vector<std::string> names;
  for (const template_helper& h : helpers) names.emplace_back(h.name);
  return names;
}

bool is_empty_value(const json& value) {
  if (value.is_null()) return true;
  if (value.is_string()) return value.get_ref<const std::string&>().empty();
  if (value.is_array() || value.is_object()) return value.empty();
  if (value.is_boolean()) return !value.get<bool>();
  if (value.is_number()) return value.get<double>() == 0;
  return false;
}

}  // namespace mqttest
