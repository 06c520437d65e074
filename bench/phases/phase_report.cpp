// File: phase_report.cpp
// The phase profile's report (phase_report.h): per-mode tables, the Pareto ranking, and their
// text, markdown and JSON renderings.
#include "phases/phase_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/table.h"

namespace phase_profile {
namespace {

constexpr std::string_view no_marks_note =
    "no phase marks: every event is charged to reject (this detector has no DETECTORS_PHASE "
    "marks, or none that this input reaches)";
constexpr std::string_view overhead_note =
    "Per-phase times are estimates: they carry instrumentation overhead, of which the "
    "calibrated share per phase interval is subtracted. Allocation counts are exact.";
constexpr std::string_view per_event_note =
    "ns/event, allocs/event and bytes/event are per event of the detector's whole stream (not "
    "per event entering the phase).";

double per(double x, std::uint64_t n) {
  return n == 0 ? 0.0 : x / static_cast<double>(n);
}

std::string percent(double share) {
  return fmt::format("{:.1f}%", 100.0 * share);
}
std::string ns(double v) {
  return fmt::format("{:.1f}", v);
}
std::string allocs(double v) {
  return fmt::format("{:.4f}", v);
}
std::string bytes(double v) {
  return fmt::format("{:.1f}", v);
}

std::string phase_label(phase p, bool marked) {
  return marked ? std::string(detectors::phase_name(p))
                : std::string(detectors::phase_name(p)) + " (no marks)";
}

tools::table mode_table(const mode_summary& s) {
  using tools::align;
  tools::table t({"phase", "events entered", "% events", "ns/event", "allocs/event", "bytes/event",
                  "share of time"},
                 {align::left, align::right, align::right, align::right, align::right, align::right,
                  align::right});
  for (const phase_row& r : s.rows)
    t.add_row({std::string(detectors::phase_name(r.p)), std::to_string(r.events_entered),
               percent(r.events_entered_share), ns(r.ns_per_event), allocs(r.allocs_per_event),
               bytes(r.bytes_per_event), percent(r.time_share)});
  t.add_row({"total", std::to_string(s.events), percent(s.events > 0 ? 1.0 : 0.0),
             ns(s.ns_per_event), allocs(s.allocs_per_event), bytes(s.bytes_per_event),
             percent(s.ns_per_event > 0 ? 1.0 : 0.0)});
  return t;
}

tools::table pareto_table(const std::vector<pareto_row>& rows) {
  using tools::align;
  tools::table t({"rank", "detector", "phase", "warm ns/event", "share", "cumulative",
                  "warm allocs/event", "cold ns/event", "cold allocs/event"},
                 {align::right, align::left, align::left, align::right, align::right, align::right,
                  align::right, align::right, align::right});
  std::size_t rank = 0;
  for (const pareto_row& r : rows)
    t.add_row({std::to_string(++rank), r.detector, phase_label(r.p, r.marked),
               ns(r.warm_ns_per_event), percent(r.warm_share), percent(r.cumulative_share),
               allocs(r.warm_allocs_per_event), ns(r.cold_ns_per_event),
               allocs(r.cold_allocs_per_event)});
  return t;
}

std::string header_lines(const run_info& info) {
  std::string out;
  if (info.clock.source == clock_source::rdtsc)
    out += fmt::format("clock: rdtsc ({:.3f} ns/tick; one read {:.1f} ns, steady_clock {:.1f} ns)",
                       info.clock.ns_per_tick, info.clock.rdtsc_read_ns,
                       info.clock.steady_clock_read_ns);
  else
    out += fmt::format(
        "clock: steady_clock (one read {:.1f} ns; rdtsc {})", info.clock.steady_clock_read_ns,
        info.clock.rdtsc_read_ns > 0 ? fmt::format("{:.1f} ns", info.clock.rdtsc_read_ns)
                                     : std::string("unavailable or not invariant"));
  out += '\n';
  out += fmt::format(
      "instrumentation: {:.1f} ns per event (begin/end), {:.1f} ns per mark; {:.1f} ns "
      "subtracted per phase interval (calibrated on empty transitions)\n",
      info.cal.event_cost_ns, info.cal.mark_cost_ns, info.cal.interval_overhead_ns);
  return out;
}

std::string mode_line(const mode_summary& s) {
  return fmt::format(
      "{} events; {:.2f} marks/event, {:.2f} transitions/event; {:.1f} ns/event recorded, "
      "{:.1f} of it subtracted as instrumentation overhead",
      s.events, s.marks_per_event, s.transitions_per_event, s.raw_ns_per_event,
      s.overhead_ns_per_event);
}

std::string mode_title(bool warm, const mode_result& m, const run_info& info) {
  const std::string runs =
      m.repetitions > 1 ? fmt::format("; per-window median of {} runs", m.repetitions) : "";
  return warm ? fmt::format("warm (steady state, {} windows x {} events{})", m.windows,
                            info.window_events, runs)
              : fmt::format("cold (first window of {} fresh detectors, {} events each{})",
                            m.windows, info.window_events, runs);
}

std::string render_text(const std::vector<detector_result>& results, const run_info& info,
                        bool markdown) {
  std::string out;
  if (markdown) {
    out += "## Where the time goes: phase profile\n\n";
    // The header's lines as a list, so that markdown keeps them apart.
    const std::string header = header_lines(info);
    for (std::size_t start = 0, nl; (nl = header.find('\n', start)) != std::string::npos;
         start = nl + 1)
      out += "- " + header.substr(start, nl - start + 1);
    out += "\n" + std::string(overhead_note) + " " + std::string(per_event_note) + "\n\n";
  } else {
    out +=
        "detector_phases: phase profile (detectors_phased build; not the gate's "
        "numbers)\n";
    out += header_lines(info);
    out += std::string(overhead_note) + "\n" + std::string(per_event_note) + "\n\n";
  }
  for (const detector_result& d : results) {
    const bool marked = d.marked();
    const mode_summary warm = summarize(d.warm.t, marked, info);
    const mode_summary cold = summarize(d.cold.t, marked, info);
    if (markdown) {
      out += fmt::format("### {}\n\n", d.name);
      if (!marked) out += fmt::format("**{}**\n\n", no_marks_note);
      out += fmt::format("**{}**: {}\n\n", mode_title(true, d.warm, info), mode_line(warm));
      out += mode_table(warm).render_markdown() + "\n";
      out += fmt::format("**{}**: {}\n\n", mode_title(false, d.cold, info), mode_line(cold));
      out += mode_table(cold).render_markdown() + "\n";
    } else {
      out += fmt::format("== {} ==\n", d.name);
      if (!marked) out += fmt::format("{}\n", no_marks_note);
      out += mode_title(true, d.warm, info) + "\n" + mode_table(warm).render_text();
      out += mode_line(warm) + "\n\n";
      out += mode_title(false, d.cold, info) + "\n" + mode_table(cold).render_text();
      out += mode_line(cold) + "\n\n";
    }
  }
  const std::vector<pareto_row> rows = pareto(results, info);
  if (markdown) {
    out += "### Pareto: detector x phase by warm ns/event\n\n";
    out += pareto_table(rows).render_markdown();
  } else {
    out += "== Pareto: detector x phase by warm ns/event ==\n";
    out += pareto_table(rows).render_text();
  }
  return out;
}

nlohmann::json mode_json(const mode_result& m, const mode_summary& s) {
  nlohmann::json phases = nlohmann::json::array();
  for (const phase_row& r : s.rows) {
    const phase_totals& pt = m.t[r.p];
    phases.push_back({{"phase", detectors::phase_name(r.p)},
                      {"events_entered", r.events_entered},
                      {"entries", r.entries},
                      {"ns_per_event", r.ns_per_event},
                      {"raw_ns_per_event", r.raw_ns_per_event},
                      {"allocs", pt.allocs},
                      {"allocs_per_event", r.allocs_per_event},
                      {"bytes", pt.bytes},
                      {"bytes_per_event", r.bytes_per_event},
                      {"share_of_time", r.time_share}});
  }
  return {{"windows", m.windows},
          {"repetitions", m.repetitions},
          {"events", s.events},
          {"marks_per_event", s.marks_per_event},
          {"transitions_per_event", s.transitions_per_event},
          {"ns_per_event", s.ns_per_event},
          {"raw_ns_per_event", s.raw_ns_per_event},
          {"subtracted_overhead_ns_per_event", s.overhead_ns_per_event},
          {"allocs_per_event", s.allocs_per_event},
          {"bytes_per_event", s.bytes_per_event},
          {"phases", phases}};
}

std::string render_json(const std::vector<detector_result>& results, const run_info& info) {
  nlohmann::json doc;
  doc["tool"] = "detector_phases";
  doc["note"] = std::string(overhead_note) + " " + std::string(per_event_note);
  doc["clock"] = {
      {"source", clock_source_name(info.clock.source)},
      {"ns_per_tick", info.clock.ns_per_tick},
      {"read_ns", info.clock.source == clock_source::rdtsc ? info.clock.rdtsc_read_ns
                                                           : info.clock.steady_clock_read_ns},
      {"steady_clock_read_ns", info.clock.steady_clock_read_ns},
      {"rdtsc_read_ns", info.clock.rdtsc_read_ns}};
  doc["calibration"] = {{"interval_overhead_ns", info.cal.interval_overhead_ns},
                        {"event_cost_ns", info.cal.event_cost_ns},
                        {"mark_cost_ns", info.cal.mark_cost_ns}};
  doc["window_events"] = info.window_events;
  nlohmann::json detectors = nlohmann::json::array();
  for (const detector_result& d : results) {
    const bool marked = d.marked();
    nlohmann::json j = {{"name", d.name},
                        {"marked", marked},
                        {"warm", mode_json(d.warm, summarize(d.warm.t, marked, info))},
                        {"cold", mode_json(d.cold, summarize(d.cold.t, marked, info))}};
    if (!marked) j["note"] = no_marks_note;
    detectors.push_back(std::move(j));
  }
  doc["detectors"] = std::move(detectors);
  nlohmann::json rows = nlohmann::json::array();
  std::size_t rank = 0;
  for (const pareto_row& r : pareto(results, info))
    rows.push_back({{"rank", ++rank},
                    {"detector", r.detector},
                    {"phase", detectors::phase_name(r.p)},
                    {"marked", r.marked},
                    {"warm_ns_per_event", r.warm_ns_per_event},
                    {"share", r.warm_share},
                    {"cumulative_share", r.cumulative_share},
                    {"warm_allocs_per_event", r.warm_allocs_per_event},
                    {"cold_ns_per_event", r.cold_ns_per_event},
                    {"cold_allocs_per_event", r.cold_allocs_per_event}});
  doc["pareto"] = std::move(rows);
  return doc.dump(2) + "\n";
}

}  // namespace

mode_summary summarize(const totals& t, bool marked, const run_info& info) {
  mode_summary s;
  s.events = t.events;
  std::uint64_t transitions = 0;
  for (std::size_t i = 0; i < phase_count; ++i) {
    const phase p = static_cast<phase>(i);
    const phase_totals& pt = t[p];
    transitions += pt.entries;
    if (!marked && p != phase::reject) continue;
    phase_row r;
    r.p = p;
    r.events_entered = pt.events;
    r.events_entered_share = per(static_cast<double>(pt.events), t.events);
    r.entries = pt.entries;
    const double raw_ns = static_cast<double>(pt.ticks) * info.clock.ns_per_tick;
    const double overhead = static_cast<double>(pt.entries) * info.cal.interval_overhead_ns;
    r.raw_ns_per_event = per(raw_ns, t.events);
    r.ns_per_event = per(std::max(0.0, raw_ns - overhead), t.events);
    r.allocs_per_event = per(static_cast<double>(pt.allocs), t.events);
    r.bytes_per_event = per(static_cast<double>(pt.bytes), t.events);
    s.ns_per_event += r.ns_per_event;
    s.raw_ns_per_event += r.raw_ns_per_event;
    s.allocs_per_event += r.allocs_per_event;
    s.bytes_per_event += r.bytes_per_event;
    s.rows.push_back(r);
  }
  for (phase_row& r : s.rows)
    r.time_share = s.ns_per_event > 0 ? r.ns_per_event / s.ns_per_event : 0.0;
  s.marks_per_event = per(static_cast<double>(t.marks), t.events);
  s.transitions_per_event = per(static_cast<double>(transitions), t.events);
  s.overhead_ns_per_event = s.raw_ns_per_event - s.ns_per_event;
  return s;
}

std::vector<pareto_row> pareto(const std::vector<detector_result>& results, const run_info& info) {
  std::vector<pareto_row> rows;
  for (const detector_result& d : results) {
    const bool marked = d.marked();
    const mode_summary warm = summarize(d.warm.t, marked, info);
    const mode_summary cold = summarize(d.cold.t, marked, info);
    for (std::size_t i = 0; i < warm.rows.size(); ++i) {
      const phase_row& w = warm.rows[i];
      const phase_row& c = cold.rows[i];
      if (w.entries == 0 && c.entries == 0) continue;
      pareto_row r;
      r.detector = d.name;
      r.p = w.p;
      r.marked = marked;
      r.warm_ns_per_event = w.ns_per_event;
      r.warm_allocs_per_event = w.allocs_per_event;
      r.cold_ns_per_event = c.ns_per_event;
      r.cold_allocs_per_event = c.allocs_per_event;
      rows.push_back(std::move(r));
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const pareto_row& a, const pareto_row& b) {
    if (a.warm_ns_per_event != b.warm_ns_per_event)
      return a.warm_ns_per_event > b.warm_ns_per_event;
    return a.warm_allocs_per_event > b.warm_allocs_per_event;
  });
  double total = 0;
  for (const pareto_row& r : rows)
    total += r.warm_ns_per_event;
  double cumulative = 0;
  for (pareto_row& r : rows) {
    r.warm_share = total > 0 ? r.warm_ns_per_event / total : 0.0;
    cumulative += r.warm_share;
    r.cumulative_share = cumulative;
  }
  return rows;
}

std::string render(const std::vector<detector_result>& results, const run_info& info,
                   report_format format) {
  switch (format) {
    case report_format::text:
      return render_text(results, info, false);
    case report_format::markdown:
      return render_text(results, info, true);
    case report_format::json:
      return render_json(results, info);
  }
  return {};
}

}  // namespace phase_profile
