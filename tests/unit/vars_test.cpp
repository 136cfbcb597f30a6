#include "executor/lang/vars.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "executor/core/errors.h"

using namespace mqttest;
using nlohmann::json;

namespace {

struct temp_file {
  std::filesystem::path path;
  explicit temp_file(const std::string& text) {
    std::string pattern = (std::filesystem::temp_directory_path() / "mqttest-vars-XXXXXX").string();
    int fd = ::mkstemp(pattern.data());
    REQUIRE(fd >= 0);
    ::close(fd);
    path = pattern;
    std::ofstream(path) << text;
  }
  ~temp_file() { std::filesystem::remove(path); }
};

}  // namespace

TEST_CASE("precedence: files (in order) < VENOM_VAR_ < MQTTEST_VAR_ < --var") {
  temp_file first("a: first\nb: first\nc: first\nd: first\ne: first\nn: 3\n");
  temp_file second("b: second\nc: second\nd: second\ne: second\n");
  var_sources sources;
  sources.files = {first.path.string(), second.path.string()};
  sources.environment = {"VENOM_VAR_c=venom", "VENOM_VAR_d=venom", "MQTTEST_VAR_d=mqttest",
                         "MQTTEST_VAR_e=mqttest", "PATH=/bin", "MQTTEST_VAR_=ignored"};
  sources.assignments = {"e=cli", "list=[1, 2]"};
  json vars = external_vars(sources);
  CHECK(vars["a"] == "first");
  CHECK(vars["b"] == "second");
  CHECK(vars["c"] == "venom");
  CHECK(vars["d"] == "mqttest");
  CHECK(vars["e"] == "cli");
  CHECK(vars["n"] == 3);
  CHECK(vars["list"] == json::array({1, 2}));
  CHECK_FALSE(vars.contains("PATH"));
  CHECK_FALSE(vars.contains(""));
}

TEST_CASE("values keep their YAML type") {
  CHECK(parse_var_value("3") == 3);
  CHECK(parse_var_value("true") == true);
  CHECK(parse_var_value("text") == "text");
  CHECK(parse_var_value("{a: 1}") == json{{"a", 1}});
  CHECK(parse_var_value("[unclosed") == "[unclosed");
}

TEST_CASE("bad sources") {
  temp_file list("- a\n- b\n");
  var_sources sources;
  sources.files = {list.path.string()};
  CHECK_THROWS_WITH_AS(external_vars(sources),
                       (list.path.string() + ":1:1: --var-from-file needs a map of variables\n    - a\n    ^")
                           .c_str(),
                       config_error);
  var_sources bad;
  bad.assignments = {"novalue"};
  CHECK_THROWS_WITH_AS(external_vars(bad), "--var needs name=value, got \"novalue\"", usage_error);
  var_sources missing;
  missing.files = {"/nonexistent/vars.yml"};
  CHECK_THROWS_AS(external_vars(missing), config_error);
}
