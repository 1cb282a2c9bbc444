#include "aekit/viz/html_report.h"

#include "aekit/core/error.h"
#include "aekit/core/file_io.h"

#include <fmt/format.h>

#include <fstream>
#include <iterator>

namespace aekit::viz {

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string base64_encode(const std::string& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) |
                       (static_cast<uint8_t>(bytes[i + 1]) << 8) | static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

HtmlReport::HtmlReport(std::string title) : title_(std::move(title)) {}

void HtmlReport::heading(const std::string& text) {
  body_ += fmt::format("<h2>{}</h2>\n", html_escape(text));
}

void HtmlReport::paragraph(const std::string& text) {
  body_ += fmt::format("<p>{}</p>\n", html_escape(text));
}

void HtmlReport::preformatted(const std::string& text) {
  body_ += fmt::format("<pre>{}</pre>\n", html_escape(text));
}

void HtmlReport::table(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows) {
  body_ += "<table>\n<tr>";
  for (const auto& cell : header) body_ += fmt::format("<th>{}</th>", html_escape(cell));
  body_ += "</tr>\n";
  for (const auto& row : rows) {
    body_ += "<tr>";
    for (const auto& cell : row) body_ += fmt::format("<td>{}</td>", html_escape(cell));
    body_ += "</tr>\n";
  }
  body_ += "</table>\n";
}

void HtmlReport::image(const std::filesystem::path& png, const std::string& caption) {
  std::ifstream in(png, std::ios::binary);
  if (!in.good()) fail_runtime("{}: cannot read the figure for the report", png.string());
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  static const std::string kSignature = "\x89PNG\r\n\x1a\n";
  if (bytes.compare(0, kSignature.size(), kSignature) != 0) {
    fail_runtime("{}: expected a PNG file for the report, found other content", png.string());
  }
  body_ += fmt::format(
      "<figure><img src=\"data:image/png;base64,{}\" alt=\"{}\"><figcaption>{}</figcaption>"
      "</figure>\n",
      base64_encode(bytes), html_escape(caption), html_escape(caption));
}

void HtmlReport::svg(const std::string& svg, const std::string& caption) {
  if (svg.find("<svg") == std::string::npos) {
    fail_runtime("expected an SVG drawing for the report's '{}', found other content", caption);
  }
  body_ += fmt::format(
      "<figure><img src=\"data:image/svg+xml;base64,{}\" alt=\"{}\"><figcaption>{}</figcaption>"
      "</figure>\n",
      base64_encode(svg), html_escape(caption), html_escape(caption));
}

std::string HtmlReport::html() const {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{0}</title>\n"
      "<style>\n"
      "body {{ font-family: sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }}\n"
      "table {{ border-collapse: collapse; margin: 1em 0; }}\n"
      "th, td {{ border: 1px solid #ccc; padding: 4px 10px; text-align: left; }}\n"
      "th {{ background: #f3f3f3; }}\n"
      "pre {{ background: #f7f7f7; padding: 1em; overflow-x: auto; }}\n"
      "figure {{ display: inline-block; margin: 0.5em; vertical-align: top; }}\n"
      "img {{ max-width: 520px; border: 1px solid #ddd; }}\n"
      "figcaption {{ font-size: 0.9em; color: #555; max-width: 520px; }}\n"
      "</style>\n</head>\n<body>\n<h1>{0}</h1>\n{1}</body>\n</html>\n",
      html_escape(title_), body_);
}

void HtmlReport::write(const std::filesystem::path& path) const {
  write_file_atomic(path, html());
}

}  // namespace aekit::viz
