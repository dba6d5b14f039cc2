#include "reports/text_table.h"

#include <algorithm>

#include "reports/svg_canvas.h"

namespace popsweep::reports {

std::string markdown_text(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

std::string markdown_row(const std::vector<std::string>& cells) {
  std::string line = "|";
  for (const std::string& cell : cells) line += " " + markdown_text(cell) + " |";
  return line + "\n";
}

constexpr std::size_t kLongCell = 40;

// Characters, not bytes: cells hold "±", and UTF-8 continuation bytes take no column.
std::size_t display_width(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(
      text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string padded(const std::string& text, std::size_t width) {
  return text + std::string(width - std::min(width, display_width(text)), ' ');
}

}  // namespace

std::string to_markdown(const TextTable& table) {
  std::string text;
  if (!table.caption.empty()) text += "**" + markdown_text(table.caption) + "**\n\n";
  text += markdown_row(table.header);
  text += "|";
  for (std::size_t i = 0; i < table.header.size(); ++i) text += "---|";
  text += "\n";
  for (const std::vector<std::string>& row : table.rows) text += markdown_row(row);
  return text;
}

std::string to_html(const TextTable& table) {
  // The wrapper scrolls a wide table sideways on a narrow screen instead of
  // the page; the caption stays outside it, so it wraps to the screen.
  std::string html;
  if (!table.caption.empty()) html += "<p class=\"caption\">" + escape_xml(table.caption) + "</p>\n";
  html += "<div class=\"table-scroll\">\n<table>\n";
  html += "<thead><tr>";
  for (const std::string& cell : table.header) html += "<th>" + escape_xml(cell) + "</th>";
  html += "</tr></thead>\n<tbody>\n";
  for (const std::vector<std::string>& row : table.rows) {
    html += "<tr>";
    // Short cells ("0.519 ± 0.000") stay on one line; a long text may wrap.
    for (const std::string& cell : row)
      html += (display_width(cell) > kLongCell ? "<td class=\"long\">" : "<td>") + escape_xml(cell) + "</td>";
    html += "</tr>\n";
  }
  return html + "</tbody>\n</table>\n</div>\n";
}

std::string to_plain_text(const TextTable& table) {
  std::vector<std::size_t> widths;
  for (const std::string& cell : table.header) widths.push_back(display_width(cell));
  for (const std::vector<std::string>& row : table.rows) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], display_width(row[i]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t i = 0; i < cells.size() && i < widths.size(); ++i) {
      text += (i ? "  " : "") + padded(cells[i], widths[i]);
    }
    text.erase(text.find_last_not_of(' ') + 1);
    return text + "\n";
  };
  std::string text = table.caption.empty() ? "" : table.caption + "\n";
  text += line(table.header);
  for (const std::vector<std::string>& row : table.rows) text += line(row);
  return text;
}

}  // namespace popsweep::reports
