// File: table.cpp
#include "common/table.h"

#include <algorithm>

namespace tools {
namespace {

std::size_t display_width(const std::string& s) {
  // Count UTF-8 code points (continuation bytes 10xxxxxx do not start a character).
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string pad(const std::string& s, std::size_t width, align a) {
  const std::size_t w = display_width(s);
  const std::string fill(width > w ? width - w : 0, ' ');
  return a == align::left ? s + fill : fill + s;
}

}  // namespace

table::table(std::vector<std::string> header, std::vector<align> alignment)
    : header_(std::move(header)), alignment_(std::move(alignment)) {
  alignment_.resize(header_.size(), align::left);
}

void table::add_row(std::vector<std::string> cells) {
  cells.resize(header_.size());
  rows_.push_back(std::move(cells));
}

std::string table::render_text() const {
  std::vector<std::size_t> width(header_.size());
  for (std::size_t c = 0; c < header_.size(); ++c) {
    width[c] = display_width(header_[c]);
    for (const auto& r : rows_)
      width[c] = std::max(width[c], display_width(r[c]));
  }
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (c > 0) out += "  ";
      out += pad(cells[c], width[c], alignment_[c]);
    }
    while (!out.empty() && out.back() == ' ')
      out.pop_back();
    return out + '\n';
  };
  std::string out = line(header_);
  std::size_t total = 0;
  for (std::size_t c = 0; c < width.size(); ++c)
    total += width[c] + (c > 0 ? 2 : 0);
  out += std::string(total, '-') + '\n';
  for (const auto& r : rows_)
    out += line(r);
  return out;
}

std::string table::render_markdown() const {
  std::string out = "|";
  for (const auto& h : header_)
    out += " " + h + " |";
  out += "\n|";
  for (auto a : alignment_)
    out += a == align::right ? "--:|" : ":--|";
  out += '\n';
  for (const auto& r : rows_) {
    out += "|";
    for (const auto& cell : r)
      out += " " + cell + " |";
    out += '\n';
  }
  return out;
}

}  // namespace tools
