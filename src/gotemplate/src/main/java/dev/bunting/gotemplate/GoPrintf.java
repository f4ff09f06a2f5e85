package dev.bunting.gotemplate;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One {@code fmt.Sprintf} call: a port of the structure of Go's {@code doPrintf} (flags, width, precision,
 * argument indexes) and of its per-type formatting, including Go's messages for mismatches.
 */
final class GoPrintf {

  private static final String LOWER_DIGITS = "0123456789abcdefx";
  private static final String UPPER_DIGITS = "0123456789ABCDEFX";

  private final String format;
  private final List<?> args;
  private final StringBuilder out = new StringBuilder();

  private boolean plus;
  private boolean minus;
  private boolean sharp;
  private boolean sharpV;
  private boolean space;
  private boolean zero;
  private boolean widPresent;
  private boolean precPresent;
  private int wid;
  private int prec;

  private boolean reordered;
  private boolean goodArgNum;

  GoPrintf(String format, List<?> args) {
    this.format = format;
    this.args = args;
  }

  private void clearFlags() {
    plus = minus = sharp = sharpV = space = zero = false;
    widPresent = precPresent = false;
    wid = prec = 0;
  }

  /** Result of parsing a number or an argument index: value, whether present, next position. */
  private record Parsed(int value, boolean ok, int next) {}

  private Parsed parseNum(int start, int end) {
    if (start >= end) {
      return new Parsed(0, false, end);
    }
    int num = 0;
    boolean isNum = false;
    int i = start;
    for (; i < end && format.charAt(i) >= '0' && format.charAt(i) <= '9'; i++) {
      if (num > 1_000_000) {
        return new Parsed(0, false, end);
      }
      num = num * 10 + (format.charAt(i) - '0');
      isNum = true;
    }
    return new Parsed(num, isNum, i);
  }

  /** Parses {@code [n]} at {@code i}; returns the new argument number, position and whether found. */
  private int[] argNumber(int argNum, int i) {
    if (format.length() <= i || format.charAt(i) != '[') {
      return new int[] {argNum, i, 0};
    }
    reordered = true;
    String rest = format.substring(i);
    int index = 0;
    int width = 1;
    boolean ok = false;
    if (rest.length() >= 3) {
      for (int k = 1; k < rest.length(); k++) {
        if (rest.charAt(k) == ']') {
          Parsed n = new GoPrintf(rest, List.of()).parseNum(1, k);
          if (n.ok && n.next == k) {
            index = n.value - 1;
            ok = true;
          }
          width = k + 1;
          break;
        }
      }
    }
    if (ok && index >= 0 && index < args.size()) {
      return new int[] {index, i + width, 1};
    }
    goodArgNum = false;
    return new int[] {argNum, i + width, ok ? 1 : 0};
  }

  /** Go's intFromArg: {value, isInt (1/0), newArgNum}. */
  private long[] intFromArg(int argNum) {
    if (argNum >= args.size()) {
      return new long[] {0, 0, argNum};
    }
    Object a = args.get(argNum);
    long num = 0;
    boolean isInt = false;
    if (a instanceof Number n && !(a instanceof Double) && !(a instanceof Float)) {
      num = n.longValue();
      isInt = true;
    }
    if (num > 1_000_000 || num < -1_000_000) {
      num = 0;
      isInt = false;
    }
    return new long[] {num, isInt ? 1 : 0, argNum + 1};
  }

  String run() {
    int end = format.length();
    int argNum = 0;
    boolean afterIndex;
    int i = 0;
    while (i < end) {
      goodArgNum = true;
      int lasti = i;
      while (i < end && format.charAt(i) != '%') {
        i++;
      }
      if (i > lasti) {
        out.append(format, lasti, i);
      }
      if (i >= end) {
        break;
      }
      i++;
      clearFlags();
      flags:
      for (; i < end; i++) {
        switch (format.charAt(i)) {
          case '#' -> sharp = true;
          case '0' -> zero = !minus;
          case '+' -> plus = true;
          case '-' -> {
            minus = true;
            zero = false;
          }
          case ' ' -> space = true;
          default -> {
            break flags;
          }
        }
      }
      int[] an = argNumber(argNum, i);
      argNum = an[0];
      i = an[1];
      afterIndex = an[2] == 1;

      if (i < end && format.charAt(i) == '*') {
        i++;
        long[] w = intFromArg(argNum);
        wid = (int) w[0];
        widPresent = w[1] == 1;
        argNum = (int) w[2];
        if (!widPresent) {
          out.append("%!(BADWIDTH)");
        }
        if (wid < 0) {
          wid = -wid;
          minus = true;
          zero = false;
        }
        afterIndex = false;
      } else {
        Parsed w = parseNum(i, end);
        wid = w.value;
        widPresent = w.ok;
        i = w.next;
        if (afterIndex && widPresent) {
          goodArgNum = false;
        }
      }

      if (i + 1 < end && format.charAt(i) == '.') {
        i++;
        if (afterIndex) {
          goodArgNum = false;
        }
        an = argNumber(argNum, i);
        argNum = an[0];
        i = an[1];
        afterIndex = an[2] == 1;
        if (i < end && format.charAt(i) == '*') {
          i++;
          long[] p = intFromArg(argNum);
          prec = (int) p[0];
          precPresent = p[1] == 1;
          argNum = (int) p[2];
          if (prec < 0) {
            prec = 0;
            precPresent = false;
          }
          if (!precPresent) {
            out.append("%!(BADPREC)");
          }
          afterIndex = false;
        } else {
          Parsed p = parseNum(i, end);
          prec = p.value;
          precPresent = p.ok;
          i = p.next;
          if (!precPresent) {
            prec = 0;
            precPresent = true;
          }
        }
      }

      if (!afterIndex) {
        an = argNumber(argNum, i);
        argNum = an[0];
        i = an[1];
      }
      if (i >= end) {
        out.append("%!(NOVERB)");
        break;
      }
      int verb = format.codePointAt(i);
      i += Character.charCount(verb);
      if (verb == '%') {
        out.append('%');
      } else if (!goodArgNum) {
        out.append("%!").appendCodePoint(verb).append("(BADINDEX)");
      } else if (argNum >= args.size()) {
        out.append("%!").appendCodePoint(verb).append("(MISSING)");
      } else {
        if (verb == 'v') {
          sharpV = sharp;
          sharp = false;
          plus = false;
        }
        printArg(args.get(argNum), verb);
        argNum++;
      }
    }
    if (!reordered && argNum < args.size()) {
      clearFlags();
      out.append("%!(EXTRA ");
      for (int k = argNum; k < args.size(); k++) {
        if (k > argNum) {
          out.append(", ");
        }
        Object a = args.get(k);
        if (a == null) {
          out.append("<nil>");
        } else {
          out.append(GoFormat.typeName(a)).append('=');
          printArg(a, 'v');
        }
      }
      out.append(')');
    }
    return out.toString();
  }

  String formatOne(Object value, int verb) {
    clearFlags();
    printArg(value, verb);
    return out.toString();
  }

  private void badVerb(int verb, Object arg) {
    out.append("%!").appendCodePoint(verb).append('(');
    if (arg == null) {
      out.append("<nil>");
    } else {
      out.append(GoFormat.typeName(arg)).append('=');
      printArg(arg, 'v');
    }
    out.append(')');
  }

  private void printArg(Object arg, int verb) {
    if (arg == null) {
      if (verb == 'T' || verb == 'v') {
        padString("<nil>");
      } else {
        badVerb(verb, null);
      }
      return;
    }
    if (verb == 'T') {
      padString(GoFormat.typeName(arg));
      return;
    }
    if (arg instanceof Boolean b) {
      if (verb == 't' || verb == 'v') {
        padString(b.toString());
      } else {
        badVerb(verb, arg);
      }
    } else if (arg instanceof Double || arg instanceof Float) {
      fmtFloat(((Number) arg).doubleValue(), verb, arg);
    } else if (arg instanceof Number n) {
      fmtInteger(n.longValue(), verb, arg);
    } else if (arg instanceof String s) {
      fmtString(s, verb, arg);
    } else if (arg instanceof Map<?, ?> map) {
      Map<String, Object> sorted = new TreeMap<>();
      map.forEach((k, v) -> sorted.put(String.valueOf(k), v));
      out.append(sharpV ? GoFormat.typeName(map) + "{" : "map[");
      boolean first = true;
      for (Map.Entry<String, Object> e : sorted.entrySet()) {
        if (!first) {
          out.append(sharpV ? ", " : " ");
        }
        first = false;
        printArg(e.getKey(), verb);
        out.append(':');
        printArg(e.getValue(), verb);
      }
      out.append(sharpV ? '}' : ']');
    } else if (arg instanceof List<?> list) {
      out.append(sharpV ? GoFormat.typeName(list) + "{" : "[");
      for (int k = 0; k < list.size(); k++) {
        if (k > 0) {
          out.append(sharpV ? ", " : " ");
        }
        printArg(list.get(k), verb);
      }
      out.append(sharpV ? '}' : ']');
    } else {
      fmtString(arg.toString(), verb, arg);
    }
  }

  private void fmtString(String s, int verb, Object arg) {
    switch (verb) {
      case 'v' -> {
        if (sharpV) {
          fmtQ(s);
        } else {
          padString(truncate(s));
        }
      }
      case 's' -> padString(truncate(s));
      case 'q' -> fmtQ(s);
      case 'x' -> fmtSx(s, LOWER_DIGITS);
      case 'X' -> fmtSx(s, UPPER_DIGITS);
      default -> badVerb(verb, arg);
    }
  }

  private void fmtQ(String s) {
    String t = truncate(s);
    if (sharp && canBackquote(t)) {
      padString("`" + t + "`");
    } else {
      padString(GoQuote.quote(t, plus));
    }
  }

  private static boolean canBackquote(String s) {
    return s.codePoints().allMatch(c -> c != '`' && c != 0xFFFD && (c >= ' ' || c == '\t') && c != 0x7F);
  }

  private void fmtSx(String s, String digits) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    int length = bytes.length;
    if (precPresent && prec < length) {
      length = prec;
    }
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < length; k++) {
      if (space && k > 0) {
        b.append(' ');
      }
      if (sharp && (space || k == 0)) {
        b.append('0').append(digits.charAt(16));
      }
      int v = bytes[k] & 0xFF;
      b.append(digits.charAt(v >> 4)).append(digits.charAt(v & 0xF));
    }
    padString(b.toString());
  }

  private String truncate(String s) {
    if (!precPresent) {
      return s;
    }
    int count = 0;
    int idx = 0;
    while (idx < s.length() && count < prec) {
      idx += Character.charCount(s.codePointAt(idx));
      count++;
    }
    return s.substring(0, idx);
  }

  private void fmtInteger(long v, int verb, Object arg) {
    switch (verb) {
      case 'v', 'd' -> fmtInt(v, 10, verb, LOWER_DIGITS);
      case 'b' -> fmtInt(v, 2, verb, LOWER_DIGITS);
      case 'o', 'O' -> fmtInt(v, 8, verb, LOWER_DIGITS);
      case 'x' -> fmtInt(v, 16, verb, LOWER_DIGITS);
      case 'X' -> fmtInt(v, 16, verb, UPPER_DIGITS);
      case 'c' -> padString(runeString(v));
      case 'q' -> padString(GoQuote.quoteRune(v, plus));
      case 'U' -> {
        String hex = Long.toHexString(v).toUpperCase();
        if (hex.length() < 4) {
          hex = "0".repeat(4 - hex.length()) + hex;
        }
        String u = "U+" + hex;
        if (sharp && v >= 0 && v <= Character.MAX_CODE_POINT && GoQuote.isPrint((int) v)) {
          u += " '" + runeString(v) + "'";
        }
        padString(u);
      }
      default -> badVerb(verb, arg);
    }
  }

  private static String runeString(long v) {
    if (v < 0 || v > Character.MAX_CODE_POINT || (v >= 0xD800 && v <= 0xDFFF)) {
      return "\uFFFD";
    }
    return new String(Character.toChars((int) v));
  }

  /** Go's fmt.fmtInteger. */
  private void fmtInt(long v, int base, int verb, String digits) {
    boolean negative = v < 0;
    long u = negative ? -v : v;
    int precision = 0;
    if (precPresent) {
      precision = prec;
      if (precision == 0 && v == 0) {
        boolean oldZero = zero;
        zero = false;
        writePadding(wid);
        zero = oldZero;
        return;
      }
    } else if (zero && !minus && widPresent) {
      precision = wid;
      if (negative || plus || space) {
        precision--;
      }
    }
    StringBuilder b = new StringBuilder();
    do {
      b.append(digits.charAt((int) Long.remainderUnsigned(u, base)));
      u = Long.divideUnsigned(u, base);
    } while (u != 0);
    while (precision > b.length()) {
      b.append('0');
    }
    if (sharp) {
      switch (base) {
        case 2 -> b.append("b0");
        case 8 -> {
          if (b.charAt(b.length() - 1) != '0') {
            b.append('0');
          }
        }
        case 16 -> b.append(digits.charAt(16)).append('0');
        default -> { }
      }
    }
    if (verb == 'O') {
      b.append("o0");
    }
    if (negative) {
      b.append('-');
    } else if (plus) {
      b.append('+');
    } else if (space) {
      b.append(' ');
    }
    boolean oldZero = zero;
    zero = false;
    padString(b.reverse().toString());
    zero = oldZero;
  }

  /** Go's fmt.fmtFloat for the e, f, g families. */
  private void fmtFloat(double v, int verb, Object arg) {
    char fmtChar;
    int p;
    switch (verb) {
      case 'v' -> {
        fmtChar = 'g';
        p = -1;
      }
      case 'g', 'G', 'x', 'X', 'b' -> {
        fmtChar = (char) verb;
        p = -1;
      }
      case 'e', 'E', 'f' -> {
        fmtChar = (char) verb;
        p = 6;
      }
      case 'F' -> {
        fmtChar = 'f';
        p = 6;
      }
      default -> {
        badVerb(verb, arg);
        return;
      }
    }
    if (precPresent) {
      p = prec;
    }
    String num = GoFloatFormat.formatFloat(v, fmtChar, p);
    // reserve a sign position like Go: num[0] is the sign
    num = num.startsWith("-") || num.startsWith("+") ? num : "+" + num;
    if (space && num.charAt(0) == '+' && !plus) {
      num = " " + num.substring(1);
    }
    if (num.charAt(1) == 'I' || num.charAt(1) == 'N') {
      boolean oldZero = zero;
      zero = false;
      if (num.charAt(1) == 'N' && !space && !plus) {
        num = num.substring(1);
      }
      padString(num);
      zero = oldZero;
      return;
    }
    if (sharp && verb != 'b') {
      num = sharpFloat(num, verb, p);
    }
    if (plus || num.charAt(0) != '+') {
      if (zero && !minus && widPresent && wid > num.length()) {
        out.append(num.charAt(0));
        writePadding(wid - num.length());
        out.append(num, 1, num.length());
        return;
      }
      padString(num);
      return;
    }
    padString(num.substring(1));
  }

  /** Go's handling of the {@code #} flag for floats (num includes a leading sign character). */
  private static String sharpFloat(String num, int verb, int p) {
    int digits = 0;
    if (verb == 'v' || verb == 'g' || verb == 'G') {
      digits = p == -1 ? 6 : p;
    }
    String tail = "";
    boolean hasDecimalPoint = false;
    boolean sawNonzeroDigit = false;
    StringBuilder head = new StringBuilder().append(num.charAt(0));
    for (int i = 1; i < num.length(); i++) {
      char c = num.charAt(i);
      if (c == '.') {
        hasDecimalPoint = true;
        head.append(c);
      } else if (c == 'e' || c == 'E') {
        tail = num.substring(i);
        break;
      } else {
        if (c != '0') {
          sawNonzeroDigit = true;
        }
        if (sawNonzeroDigit) {
          digits--;
        }
        head.append(c);
      }
    }
    if (!hasDecimalPoint) {
      if (head.length() == 2 && head.charAt(1) == '0') {
        digits--;
      }
      head.append('.');
    }
    while (digits > 0) {
      head.append('0');
      digits--;
    }
    return head + tail;
  }

  private void writePadding(int n) {
    if (n <= 0) {
      return;
    }
    out.append((zero && !minus ? "0" : " ").repeat(n));
  }

  private void padString(String s) {
    if (!widPresent || wid == 0) {
      out.append(s);
      return;
    }
    int width = s.codePointCount(0, s.length());
    if (!minus) {
      writePadding(wid - width);
      out.append(s);
    } else {
      out.append(s);
      writePadding(wid - width);
    }
  }
}
