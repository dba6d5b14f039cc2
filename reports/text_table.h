// A table of already formatted cells, rendered three ways so report.md,
// report.html and the command's stdout show the same rows: Markdown (pipes
// escaped), HTML (text escaped) and aligned plain text.
#pragma once

#include <string>
#include <vector>

namespace popsweep::reports {

struct TextTable {
  std::string caption;  // may be empty
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each as long as the header
};

std::string to_markdown(const TextTable& table);
// Text safe inside a Markdown paragraph or cell: a pipe would end the cell
// and a newline the row; angle brackets (an error text such as "<out>")
// would be read as HTML by Markdown viewers.
std::string markdown_text(const std::string& text);
std::string to_html(const TextTable& table);
std::string to_plain_text(const TextTable& table);

}  // namespace popsweep::reports
