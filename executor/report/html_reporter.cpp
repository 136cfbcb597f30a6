#include "executor/report/html_reporter.h"

#include <fmt/format.h>


#include <nlohmann/json.hpp>

#include "executor/report/report_data.h"
#include "executor/engine/step_details.h"

namespace mqttest {
namespace {

using nlohmann::json;

constexpr std::string_view style = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:16px 24px}
header h1{margin:0 0 6px;font-size:20px}
.totals span{display:inline-block;margin-right:14px;padding:2px 10px;border-radius:10px;font-weight:600}
.t-passed{background:#1a7f37;color:#fff}.t-failed{background:#cf222e;color:#fff}
.t-skipped{background:#9a6700;color:#fff}.t-total{background:#57606a;color:#fff}
main{padding:12px 24px}
section.suite{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:12px 0;padding:8px 14px}
section.suite h2{font-size:16px;margin:6px 0}
.file{color:#57606a;font-family:ui-monospace,monospace;font-size:12px}
details.case{border-left:4px solid #1a7f37;margin:6px 0;padding:2px 10px;background:#f6fff8}
details.case.failed{border-color:#cf222e;background:#fff5f5}
details.case.skipped{border-color:#9a6700;background:#fffbea}
summary{cursor:pointer;font-weight:600}
.badge{font-size:11px;padding:1px 6px;border-radius:8px;color:#fff;margin-right:6px}
.b-passed{background:#1a7f37}.b-failed{background:#cf222e}.b-skipped{background:#9a6700}
.time{color:#57606a;font-weight:400;margin-left:8px}
.step{margin:6px 0 10px 8px;padding:4px 8px;border:1px solid #d0d7de;border-radius:4px;background:#fff}
.step h3{font-size:13px;margin:2px 0}
ul.assertions{list-style:none;padding-left:4px;margin:4px 0}
ul.assertions li{font-family:ui-monospace,monospace;font-size:12px;padding:2px 4px}
li.pass::before{content:"\2714  ";color:#1a7f37}
li.fail{background:#ffebe9;border-left:3px solid #cf222e}
li.fail::before{content:"\2718  ";color:#cf222e}
.detail{display:block;margin-left:18px;color:#57606a}
.error{background:#ffebe9;color:#82071e;padding:4px 8px;border-radius:4px;font-family:ui-monospace,monospace;font-size:12px;white-space:pre-wrap}
pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:4px;padding:6px 8px;font-size:12px;overflow:auto;max-height:420px}
button{margin:8px 8px 0 0}
)";

constexpr std::string_view script = R"(
function setAll(open){document.querySelectorAll('details').forEach(function(d){d.open=open;});}
)";

std::string escape_text(std::string_view text) {
  std::string valid = json::parse(json(std::string(text)).dump(-1, ' ', false,
                                                                json::error_handler_t::replace))
                          .get<std::string>();
  std::string out;
  out.reserve(valid.size());
  for (char ch : valid) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += ch;
    }
  }
  return out;
}

std::string totals_html(const run_totals& totals) {
  return fmt::format(
      "<div class=\"totals\"><span class=\"t-total\">{} tests</span>"
      "<span class=\"t-passed\">{} passed</span><span class=\"t-failed\">{} failed</span>"
      "<span class=\"t-skipped\">{} skipped</span></div>\n",
      totals.passed + totals.failed + totals.skipped, totals.passed, totals.failed,
      totals.skipped);
}

std::string assertion_html(const assertion_outcome& a) {
  std::string out = fmt::format("<li class=\"{}\">{}", a.passed ? "pass" : "fail",
                                escape_text(a.text));
  if (a.where.line > 0) out += fmt::format(" <span class=\"file\">[{}]</span>", escape_text(to_string(a.where)));
  if (!a.passed) {
    if (!a.expected.empty() || !a.actual.empty())
      out += fmt::format("<span class=\"detail\">expected: {}</span><span class=\"detail\">actual: {}</span>",
                         escape_text(a.expected), escape_text(a.actual));
    else if (!a.message.empty())
      out += fmt::format("<span class=\"detail\">{}</span>", escape_text(a.message));
  }
  return out + "</li>\n";
}

std::string step_html(const step_report& step) {
  std::string out = fmt::format("<div class=\"step\"><h3>{} {}<span class=\"time\">{}</span></h3>\n",
                                step.passed() ? "&#10004;" : "&#10008;",
                                escape_text(step_heading(step)),
                                escape_text(format_duration(step.seconds)));
  if (has_runtime_error(step))
    out += fmt::format("<div class=\"error\">error: {}</div>\n", escape_text(step.error));
  out += "<ul class=\"assertions\">\n";
  for (const assertion_outcome& a : step.assertions) out += assertion_html(a);
  out += "</ul>\n";
  out += fmt::format("<pre class=\"result\">{}</pre>\n</div>\n", escape_text(pretty_result(step)));
  return out;
}

std::string case_html(const case_report& c) {
  std::string_view status = to_string(c.status);
  std::string out = fmt::format(
      "<details class=\"case {0}\"{1}><summary><span class=\"badge b-{0}\">{0}</span>{2}"
      "<span class=\"time\">{3}</span></summary>\n",
      status, c.status == verdict::failed ? " open" : "", escape_text(c.name),
      escape_text(format_duration(c.seconds)));
  if (c.status == verdict::skipped && !c.skip_reason.empty())
    out += fmt::format("<p>skipped: {}</p>\n", escape_text(c.skip_reason));
  for (const step_report& step : c.steps) out += step_html(step);
  return out + "</details>\n";
}

std::string suite_html(const suite_report& suite) {
  run_report one;
  one.suites.push_back(suite);
  std::string out = fmt::format(
      "<section class=\"suite\"><h2>{}</h2><div class=\"file\">{} &middot; {}</div>\n{}",
      escape_text(suite.name), escape_text(suite.file), escape_text(format_duration(suite.seconds)),
      totals_html(one.totals()));
  for (const case_report& c : suite.cases) out += case_html(c);
  return out + "</section>\n";
}

}  // namespace

std::string html_escape(std::string_view text) { return escape_text(text); }

std::string html_report(const run_report& run) {
  run_totals totals = run.totals();
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>mqttest report: {} passed, {} failed</title>\n<style>{}</style>\n"
      "<script>{}</script>\n</head>\n<body>\n<header><h1>mqttest report</h1>\n"
      "<div>started {} &middot; {} &middot; {} suite(s){}</div>\n{}"
      "<button onclick=\"setAll(true)\">Expand all</button>"
      "<button onclick=\"setAll(false)\">Collapse all</button></header>\n<main>\n",
      totals.passed, totals.failed, style, script, escape_text(run.started_at),
      escape_text(format_duration(run.seconds)), run.suites.size(),
      run.interrupted ? " &middot; <strong>interrupted</strong>" : "", totals_html(totals));
  for (const suite_report& suite : run.suites) out += suite_html(suite);
  return out + "</main>\n</body>\n</html>\n";
}

}  // namespace mqttest
