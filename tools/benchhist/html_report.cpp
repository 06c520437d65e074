// File: html_report.cpp
#include "benchhist/html_report.h"

#include <fmt/format.h>

namespace tools {

std::string render_html_report(const std::string& title, const std::string& subtitle,
                               const std::vector<report_group>& groups,
                               const compare_report* latest) {
  std::string h = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>{0}</title>\n"
      "<style>body{{font-family:sans-serif;margin:1.5em;color:#222}}"
      "section{{margin-bottom:2em}}.charts{{display:flex;flex-wrap:wrap;gap:12px}}"
      "table{{border-collapse:collapse;font-size:13px}}td,th{{border:1px solid #ccc;"
      "padding:3px 8px}}td.num{{text-align:right;font-family:monospace}}"
      ".regression{{background:#fde2e2}}.improvement{{background:#e2f5e2}}</style>\n"
      "</head><body>\n<h1>{0}</h1>\n<p>{1}</p>\n",
      xml_escape(title), xml_escape(subtitle));
  if (latest != nullptr) {
    h += fmt::format(
        "<section id=\"comparison\"><h2>Latest comparison</h2><p>base: {} — head: "
        "{}</p>\n<table><tr><th>benchmark</th><th>metric</th><th>base</th>"
        "<th>head</th><th>delta %</th><th>p</th><th>verdict</th></tr>\n",
        xml_escape(latest->base_label), xml_escape(latest->head_label));
    for (const auto& r : latest->rows) {
      const char* cls = r.verdict == compare_verdict::regression    ? "regression"
                        : r.verdict == compare_verdict::improvement ? "improvement"
                                                                    : "";
      const char* verdict = r.verdict == compare_verdict::regression     ? "regression"
                            : r.verdict == compare_verdict::improvement  ? "improvement"
                            : r.verdict == compare_verdict::same         ? "same"
                            : r.verdict == compare_verdict::within_slack ? "~ (within slack)"
                            : r.verdict == compare_verdict::missing      ? "missing"
                            : r.verdict == compare_verdict::too_few      ? "~ (too few samples)"
                                                                         : "~";
      h += fmt::format(
          "<tr class=\"{}\"><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">"
          "{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
          cls, xml_escape(r.benchmark), xml_escape(r.metric), format_value(r.base),
          format_value(r.head), format_percent(r.delta_percent),
          r.exact ? "exact" : format_p_value(r.p, latest->options.alpha), verdict);
    }
    h += "</table></section>\n";
  }
  for (const auto& g : groups) {
    h += fmt::format("<section class=\"group\"><h2>{}</h2><div class=\"charts\">\n",
                     xml_escape(g.name));
    for (const auto& c : g.charts)
      h += render_svg_chart(c);
    h += "</div></section>\n";
  }
  h += "</body></html>\n";
  return h;
}

}  // namespace tools
