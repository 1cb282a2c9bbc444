#pragma once
/// One self-contained HTML page: text, tables and PNG figures embedded as data: URIs, so that the
/// file can be mailed, archived or opened offline and still show everything. No scripts, no
/// external styles or fonts.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace aekit::viz {

/// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string html_escape(const std::string& text);

/// Standard base64 (RFC 4648, with padding) of `bytes`. Hand-written: a dozen lines against a new
/// library dependency for one function.
std::string base64_encode(const std::string& bytes);

/// Builds a report page section by section, then writes it atomically.
///
/// Example:
///   aekit::viz::HtmlReport page("Run runs/vae");
///   page.heading("Metrics");
///   page.table({"metric", "value"}, {{"test loss", "264.3"}});
///   page.image("runs/vae/plots/manifold.png", "Latent manifold");
///   page.write("runs/vae/report.html");
class HtmlReport {
 public:
  explicit HtmlReport(std::string title);

  void heading(const std::string& text);
  void paragraph(const std::string& text);
  /// Preformatted text (a config, a log).
  void preformatted(const std::string& text);
  void table(const std::vector<std::string>& header,
             const std::vector<std::vector<std::string>>& rows);
  /// Embeds the PNG at `png` with `caption`; throws RuntimeError naming the file when it cannot
  /// be read or is not a PNG.
  void image(const std::filesystem::path& png, const std::string& caption);
  /// Embeds an SVG drawing (an RDKit molecule grid) with `caption`; throws RuntimeError when the
  /// text is not an SVG document.
  void svg(const std::string& svg, const std::string& caption);

  /// The page as HTML.
  std::string html() const;
  /// Writes html() to `path` atomically.
  void write(const std::filesystem::path& path) const;

 private:
  std::string title_;
  std::string body_;
};

}  // namespace aekit::viz
