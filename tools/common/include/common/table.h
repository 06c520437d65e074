// File: table.h
// Aligned plain-text and markdown tables for tool output.
#pragma once

#include <string>
#include <vector>

namespace tools {

enum class align { left, right };

class table {
 public:
  table(std::vector<std::string> header, std::vector<align> alignment);
  void add_row(std::vector<std::string> cells);
  // Columns padded to their widest cell (counted in UTF-8 code points).
  std::string render_text() const;
  // GitHub-flavoured markdown, with alignment markers.
  std::string render_markdown() const;
  bool empty() const noexcept { return rows_.empty(); }

 private:
  std::vector<std::string> header_;
  std::vector<align> alignment_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace tools
