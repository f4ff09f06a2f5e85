package dev.bunting.gotemplate;

/** Go's {@code strconv.Quote}, {@code QuoteRune} and {@code IsPrint}. */
final class GoQuote {

  private GoQuote() {}

  /** Go's {@code strconv.Quote} ({@code asciiOnly} for {@code QuoteToASCII}). */
  static String quote(String s, boolean asciiOnly) {
    StringBuilder out = new StringBuilder("\"");
    s.codePoints().forEach(cp -> appendEscaped(out, cp, '"', asciiOnly));
    return out.append('"').toString();
  }

  static String quoteRune(long r, boolean asciiOnly) {
    int cp = (r < 0 || r > Character.MAX_CODE_POINT || (r >= 0xD800 && r <= 0xDFFF)) ? 0xFFFD : (int) r;
    StringBuilder out = new StringBuilder("'");
    appendEscaped(out, cp, '\'', asciiOnly);
    return out.append('\'').toString();
  }

  private static void appendEscaped(StringBuilder out, int cp, char quote, boolean asciiOnly) {
    if (cp == quote || cp == '\\') {
      out.append('\\').appendCodePoint(cp);
      return;
    }
    if (asciiOnly ? (cp < 0x80 && isPrint(cp)) : isPrint(cp)) {
      out.appendCodePoint(cp);
      return;
    }
    switch (cp) {
      case 0x07 -> out.append("\\a");
      case '\b' -> out.append("\\b");
      case '\f' -> out.append("\\f");
      case '\n' -> out.append("\\n");
      case '\r' -> out.append("\\r");
      case '\t' -> out.append("\\t");
      case 0x0B -> out.append("\\v");
      default -> {
        if (cp < ' ' || cp == 0x7F) {
          out.append(String.format("\\x%02x", cp));
        } else if (cp < 0x10000) {
          out.append(String.format("\\u%04x", cp));
        } else {
          out.append(String.format("\\U%08x", cp));
        }
      }
    }
  }

  /** Approximates Go's {@code strconv.IsPrint}: letters, marks, numbers, punctuation, symbols, ASCII space. */
  static boolean isPrint(int cp) {
    if (cp == ' ') {
      return true;
    }
    if (cp < ' ' || cp == 0x7F) {
      return false;
    }
    return switch (Character.getType(cp)) {
      case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
          Character.UNASSIGNED, Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR,
          Character.PARAGRAPH_SEPARATOR -> false;
      default -> true;
    };
  }
}
