// File: scan.cpp
// The run loop of `detect` (scan.h): envelopes from line_envelope.h, every detector of the
// registry, findings printed as they are made.
#include "detect/scan.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <system_error>

#include "common/error.h"
#include "common/table.h"
#include "detect/line_envelope.h"
#include "detect/line_reader.h"
#include "detectors/detector.h"

namespace tools::detect {
namespace {

using namespace detectors;

// Prints each finding as it is made (JSON lines, or fixed-width table rows), or only counts it.
class printing_sink final : public finding_sink {
 public:
  printing_sink(bool print, bool table, std::ostream& out)
      : print_(print), table_(table), out_(out) {
    if (print_ && table_)
      out_ << fmt::format("{:<8}  {:<16}  {:<10}  {:<22}  {:<26}  {:<12}  {}\n", "SEVERITY",
                          "DETECTOR", "NODE", "SUBJECT", "KIND", "ACTION", "MESSAGE");
  }
  void on_finding(const finding& f) override {
    ++by_severity[static_cast<int>(f.sev)];
    if (!print_) return;
    if (table_)
      out_ << fmt::format("{:<8}  {:<16}  {:<10}  {:<22}  {:<26}  {:<12}  {}\n", to_string(f.sev),
                          f.detector, f.node, f.subject, f.kind, to_string(f.recommended),
                          f.message);
    else
      out_ << to_json(owned_finding(f)) << "\n";
  }
  std::uint64_t by_severity[3] = {0, 0, 0};

 private:
  bool print_;
  bool table_;
  std::ostream& out_;
};

// Closes a descriptor this scan opened (never standard input).
struct fd_closer {
  int fd = -1;
  ~fd_closer() {
    if (fd > 2) ::close(fd);
  }
};

// A compression format recognised by its magic number, and the tool that undoes it.
struct compressed_kind {
  std::string_view name;
  std::string_view tool;
};

// The compression format `head` starts with, if any. Compressed logs read as text give no
// finding at all, so they are refused rather than scanned.
std::optional<compressed_kind> compression(std::string_view head) {
  using namespace std::string_view_literals;
  if (head.starts_with("\x1f\x8b"sv)) return compressed_kind{"gzip", "zcat"};
  if (head.starts_with("\x28\xb5\x2f\xfd"sv)) return compressed_kind{"zstd", "zstdcat"};
  if (head.starts_with("\xfd"
                       "7zXZ\x00"sv))
    return compressed_kind{"xz", "xzcat"};
  // "BZh" and a block size digit: three letters alone could start a text line.
  if (head.size() >= 4 && head.starts_with("BZh"sv) && head[3] >= '1' && head[3] <= '9')
    return compressed_kind{"bzip2", "bzcat"};
  return std::nullopt;
}

std::string display_name(const std::string& path) {
  return path == "-" ? "standard input" : path;
}

// One line for findings that did not reach `out`. No errno: stdio may have set it on a success
// (isatty's ENOTTY), so it would name the wrong cause; run_process adds it where it is reliable.
int write_failed(std::ostream& err) {
  err << "detect: error: writing the findings failed (output full or closed?)\n";
  return exit_error;
}

}  // namespace

int scan(std::span<const std::string> files, const scan_options& options, std::ostream& out,
         std::ostream& err) {
  std::vector<std::unique_ptr<detector>> all;
  for (std::string_view name : detector_names())
    all.push_back(make_detector(name));
  printing_sink sink(options.findings, options.table, out);
  envelope_builder envelope(options.node, options.year);

  std::uint64_t lines = 0;
  std::uint64_t overlong = 0;
  for (const std::string& path : files) {
    const std::string name = display_name(path);
    fd_closer owned;
    std::optional<line_reader> reader;
    if (path == "-" && !options.stdin_fd) {
      reader.emplace(std::cin);
    } else {
      const int fd = path == "-" ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        err << "detect: error: " << name << ": cannot open: " << std::strerror(errno) << "\n";
        return exit_error;
      }
      if (path != "-") owned.fd = fd;
      struct stat st {};
      if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        const bool dir = S_ISDIR(st.st_mode);
        err << "detect: error: " << name << ": cannot read: " << std::strerror(dir ? EISDIR : errno)
            << (dir ? " (give the log files in it)" : "") << "\n";
        return exit_error;
      }
      reader.emplace(fd);
    }
    std::uint64_t nul_lines = 0;
    std::uint64_t line_number = 0;  // in this file
    try {
      if (const auto kind = compression(reader->first_bytes())) {
        err << "detect: error: " << name << ": " << kind->name
            << "-compressed, not read; decompress it first: " << kind->tool << " "
            << (path == "-" ? std::string("FILE") : path) << " | detect\n";
        return exit_error;
      }
      std::string_view line;
      while (out && reader->next(line)) {
        ++lines;
        ++line_number;
        // A NUL byte is no log text: binary data, or the zero-filled tail a crash leaves in a
        // log. Such lines are skipped and counted (a warning names the file), the rest read.
        if (line.find('\0') != std::string_view::npos) {
          ++nul_lines;
          continue;
        }
        event ev;
        if (options.envelope_input) {
          const envelope_record r = parse_envelope_record(line);
          if (!r.bad_field.empty()) {
            err << "detect: error: " << name << ":" << line_number << ": field " << r.bad_field
                << ": not an envelope record (ts_ns<TAB>node<TAB>source<TAB>line)\n";
            return exit_error;
          }
          ev = r.ev;
          if (!options.node.empty()) ev.node = options.node;
        } else {
          ev = envelope.build(line);
        }
        for (auto& d : all)
          d->on_event(ev, sink);
      }
      lines += reader->overlong_lines();
      overlong += reader->overlong_lines();
    } catch (const std::system_error& e) {
      err << "detect: error: " << name << ": read failed after " << lines
          << " lines: " << e.code().message() << "\n";
      return exit_error;
    }
    if (nul_lines != 0) {
      err << "detect: warning: " << name << ": " << nul_lines
          << " lines with NUL bytes skipped (binary data?)\n";
    }
  }
  if (out) {
    for (auto& d : all)
      d->finish(sink);
  }
  if (!out.flush()) return write_failed(err);

  if (options.summary) {
    // Late lines (event_clock.h) get a column, and a line saying what to do, only when there
    // are any: input in time order reads as it always has.
    std::uint64_t late = 0;
    for (const auto& d : all)
      late += d->stats().late;
    std::vector<std::string> header{"detector", "recognised", "malformed", "findings"};
    std::vector<align> aligns{align::left, align::right, align::right, align::right};
    if (late != 0) {
      header.emplace_back("late");
      aligns.push_back(align::right);
    }
    table t(header, aligns);
    for (const auto& d : all) {
      std::vector<std::string> row{std::string(d->name()), std::to_string(d->stats().recognised),
                                   std::to_string(d->stats().malformed),
                                   std::to_string(d->stats().findings)};
      if (late != 0) row.push_back(std::to_string(d->stats().late));
      t.add_row(row);
    }
    const std::string skipped =
        overlong == 0 ? std::string()
                      : fmt::format(" ({} longer than {} bytes, skipped as malformed)", overlong,
                                    line_reader::max_line_bytes);
    err << fmt::format("\ndetect: {} lines{}; findings: {} critical, {} warning, {} info\n{}",
                       lines, skipped, sink.by_severity[2], sink.by_severity[1],
                       sink.by_severity[0], t.render_text());
    if (late != 0)
      err << fmt::format(
          "detect: warning: {} lines late: older by more than a detector's window than the newest "
          "line of their node; counted, kept out of windows (give files oldest first)\n",
          late);
  }
  return exit_ok;
}

std::string render_detector_list() {
  table t({"detector", "finds"}, {align::left, align::left});
  for (const detectors::detector_info& d : detectors::detector_catalog())
    t.add_row({std::string(d.name), std::string(d.summary)});
  return t.render_text();
}

}  // namespace tools::detect
