// File: attribution_file.cpp
// The writer and reader declared in attribution_file.h.
#include "alloc_hooks/attribution_file.h"

#include <charconv>
#include <string>

namespace alloc_hooks::attribution_file {

void writer::header(std::uint64_t events, std::uint64_t dropped) noexcept {
  if (ok_)
    ok_ =
        std::fprintf(f_, "%.*s\nevents %llu\ndropped %llu\n", static_cast<int>(header_line.size()),
                     header_line.data(), static_cast<unsigned long long>(events),
                     static_cast<unsigned long long>(dropped)) > 0;
}

void writer::site(std::uint64_t allocs, std::uint64_t bytes, int frame_count) noexcept {
  if (ok_)
    ok_ = std::fprintf(f_, "site %llu %llu %d\n", static_cast<unsigned long long>(allocs),
                       static_cast<unsigned long long>(bytes), frame_count) > 0;
}

void writer::frame(std::uint64_t offset, const char* object) noexcept {
  if (ok_)
    ok_ = std::fprintf(f_, "frame %llx %s\n", static_cast<unsigned long long>(offset),
                       object != nullptr ? object : "?") > 0;
}

namespace {

class parser {
 public:
  parser(std::string_view file_name) : file_name_(file_name) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw format_error(std::string(file_name_) + ":" + std::to_string(line_ == 0 ? 1 : line_) +
                       ": " + what);
  }
  [[noreturn]] void fail_field(std::string_view field, const std::string& what) const {
    fail("field '" + std::string(field) + "': " + what);
  }

  // The next space-separated word of the current line ("" at its end).
  std::string_view word() {
    while (!rest_.empty() && rest_.front() == ' ')
      rest_.remove_prefix(1);
    const std::size_t end = rest_.find(' ');
    const std::string_view w = rest_.substr(0, end);
    rest_.remove_prefix(w.size());
    return w;
  }

  std::uint64_t number(std::string_view field, int base = 10) {
    const std::string_view w = word();
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), v, base);
    if (w.empty() || ec != std::errc() || end != w.data() + w.size())
      fail_field(field, std::string(base == 16 ? "expected a hex number"
                                               : "expected a decimal "
                                                 "number") +
                            ", got '" + std::string(w) + "'");
    return v;
  }

  void end_of_line() {
    const std::string_view extra = word();
    if (!extra.empty()) fail("unexpected '" + std::string(extra) + "' at the end of the line");
  }

  // Splits off the next line; false at the end of the text.
  bool next_line(std::string_view& text) {
    if (text.empty()) return false;
    const std::size_t nl = text.find('\n');
    rest_ = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_;
    return true;
  }

  std::string_view rest() const { return rest_; }
  int line() const { return line_; }

 private:
  std::string_view file_name_;
  std::string_view rest_;
  int line_ = 0;
};

}  // namespace

contents read(std::string_view text, std::string_view file_name) {
  parser p(file_name);
  contents c;
  if (!p.next_line(text) || p.rest() != header_line)
    p.fail("not an allocgate attribution file (the first line must be '" +
           std::string(header_line) + "')");
  bool has_events = false, has_dropped = false;
  std::uint64_t frames_expected = 0;  // still owed by the last site
  int site_line = 0;
  // A site followed by fewer frames than it declares; reported at the site's line.
  const auto missing_frames = [&] {
    const std::size_t have = c.sites.back().frames.size();
    throw format_error(std::string(file_name) + ":" + std::to_string(site_line) +
                       ": field 'frame count': the site declares " +
                       std::to_string(have + frames_expected) + " frames, the file has " +
                       std::to_string(have));
  };
  while (p.next_line(text)) {
    if (p.rest().empty()) continue;
    const std::string_view kind = p.word();
    if (kind == "frame") {
      if (frames_expected == 0)
        p.fail(c.sites.empty() ? "a frame before any site" : "more frames than the site declared");
      frame f;
      f.offset = p.number("offset", 16);
      const std::string_view rest = p.rest();
      const std::size_t start = rest.find_first_not_of(' ');
      if (start == std::string_view::npos) p.fail_field("object", "missing");
      f.object = std::string(rest.substr(start));
      c.sites.back().frames.push_back(std::move(f));
      --frames_expected;
      continue;
    }
    if (frames_expected != 0) missing_frames();
    if (kind == "events" || kind == "dropped") {
      bool& seen = kind == "events" ? has_events : has_dropped;
      if (seen) p.fail("'" + std::string(kind) + "' given twice");
      if (!c.sites.empty()) p.fail("'" + std::string(kind) + "' after the first site");
      (kind == "events" ? c.events : c.dropped) = p.number(kind);
      seen = true;
      p.end_of_line();
    } else if (kind == "site") {
      if (!has_events) p.fail("a site before the 'events' line");
      site s;
      s.allocs = p.number("allocs");
      s.bytes = p.number("bytes");
      frames_expected = p.number("frame count");
      p.end_of_line();
      site_line = p.line();
      c.sites.push_back(std::move(s));
    } else {
      p.fail("unexpected line kind '" + std::string(kind) +
             "' (expected events, dropped, site or frame)");
    }
  }
  if (frames_expected != 0) missing_frames();
  if (!has_events) p.fail("no 'events' line");
  return c;
}

}  // namespace alloc_hooks::attribution_file
