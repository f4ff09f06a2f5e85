package dev.bunting.analysis.template;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Go's {@code fmt} package, for the values a query template handles: {@code Sprintf}, {@code Sprint},
 * {@code Sprintln} and Go's default formatting of floats and durations.
 *
 * <p>Values are modelled as Go would see them: {@link String} is {@code string}, {@link Long} (and any
 * other integral {@link Number}) is {@code int}, {@link Double} is {@code float64}, {@link Boolean} is
 * {@code bool}, a {@link Map} is a map (keys printed in sorted order), a {@link List} a slice and
 * {@code null} is {@code nil}.
 *
 * <p>Supported verbs: {@code %v %s %d %q %f %F %e %E %g %G %x %X %o %O %b %c %U %t %T %%} (floats also {@code %x %X %b}), flags
 * {@code + - # 0} and space, width and precision (also {@code *}) and explicit argument indexes
 * ({@code %[1]s}). Mismatches render the way Go renders them ({@code %!d(string=x)},
 * {@code %!s(MISSING)}, {@code %!(EXTRA int=1)}).
 */
public final class GoFormat {

  private GoFormat() {}

  /** Go's {@code fmt.Sprintf}. */
  public static String sprintf(String format, List<?> args) {
    return new Printf(format, args).run();
  }

  /** Go's {@code fmt.Sprint}: spaces between operands when neither side is a string. */
  public static String sprint(List<?> args) {
    StringBuilder out = new StringBuilder();
    boolean prevString = false;
    for (int i = 0; i < args.size(); i++) {
      Object a = args.get(i);
      boolean isString = a instanceof String;
      if (i > 0 && !isString && !prevString) {
        out.append(' ');
      }
      out.append(valueString(a));
      prevString = isString;
    }
    return out.toString();
  }

  /** Go's {@code fmt.Sprintln}: operands separated by spaces, then a newline. */
  public static String sprintln(List<?> args) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < args.size(); i++) {
      if (i > 0) {
        out.append(' ');
      }
      out.append(valueString(args.get(i)));
    }
    return out.append('\n').toString();
  }

  /** Go's {@code %v} of one value ({@code fmt.Sprint(v)}). */
  public static String valueString(Object value) {
    return new Printf("%v", List.of()).formatOne(value, 'v');
  }

  /** Go's {@code %v} of a float64: shortest digits, exponent form when the exponent is below -4 or at least 6 ({@code 1e+06}). */
  public static String floatString(double value) {
    return formatFloat(value, 'g', -1);
  }

  /**
   * Go's {@code time.Duration.String()} for a duration in nanoseconds, e.g. {@code 1.5s}, {@code 250ms},
   * {@code 1m30s}, {@code 0s}.
   */
  public static String duration(long nanos) {
    if (nanos == 0) {
      return "0s";
    }
    boolean neg = nanos < 0;
    // Work on the magnitude as an unsigned value, like Go does.
    long u = neg ? -nanos : nanos;
    StringBuilder out = new StringBuilder();
    if (Long.compareUnsigned(u, 1_000_000_000L) < 0) {
      String unit;
      int prec;
      if (u < 1_000L) {
        return (neg ? "-" : "") + u + "ns";
      } else if (u < 1_000_000L) {
        unit = "µs";
        prec = 3;
      } else {
        unit = "ms";
        prec = 6;
      }
      out.append(fraction(u, prec)).append(unit);
    } else {
      String seconds = fraction(u, 9);
      long totalSeconds = Long.divideUnsigned(u, 1_000_000_000L);
      String fractional = seconds.substring(Long.toUnsignedString(totalSeconds).length());
      long secs = totalSeconds % 60;
      long totalMinutes = totalSeconds / 60;
      if (totalMinutes > 0) {
        long mins = totalMinutes % 60;
        long hours = totalMinutes / 60;
        if (hours > 0) {
          out.append(hours).append('h');
        }
        out.append(mins).append('m');
      }
      out.append(secs).append(fractional).append('s');
    }
    return (neg ? "-" : "") + out;
  }

  /** {@code v / 10^prec} with trailing zeros (and a bare point) removed. */
  private static String fraction(long v, int prec) {
    String digits = Long.toUnsignedString(v);
    if (digits.length() <= prec) {
      digits = "0".repeat(prec - digits.length() + 1) + digits;
    }
    String whole = digits.substring(0, digits.length() - prec);
    String frac = digits.substring(digits.length() - prec).replaceFirst("0+$", "");
    return frac.isEmpty() ? whole : whole + "." + frac;
  }

  /** Go's name of the type of a value, as {@code %T} and bad-verb messages print it. */
  static String typeName(Object value) {
    if (value == null) {
      return "<nil>";
    } else if (value instanceof String) {
      return "string";
    } else if (value instanceof Boolean) {
      return "bool";
    } else if (value instanceof Double || value instanceof Float) {
      return "float64";
    } else if (value instanceof Number) {
      return "int";
    } else if (value instanceof Map<?, ?> map) {
      return map.values().stream().allMatch(v -> v instanceof String)
          ? "map[string]string" : "map[string]interface {}";
    } else if (value instanceof List<?> list) {
      return list.stream().allMatch(v -> v instanceof String) && !list.isEmpty()
          ? "[]string" : "[]interface {}";
    }
    return value.getClass().getSimpleName();
  }

  // ------------------------------------------------------------------------------------------
  // strconv.FormatFloat for 'e', 'f', 'g' (and upper-case variants)

  /** Decimal digits (no leading or trailing zeros) and the decimal point position: 0.d1d2... × 10^dp. */
  private record Digits(String d, int dp) {}

  /**
   * The fewest decimal digits that read back as the same double (Go's shortest formatting). Java 17's
   * {@code Double.toString} is not always shortest (4.9E-324), so this searches the precision directly.
   */
  private static Digits shortest(double abs) {
    if (abs == 0) {
      return new Digits("", 0);
    }
    BigDecimal exact = new BigDecimal(abs);
    for (int p = 1; p < 17; p++) {
      BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (r.doubleValue() == abs) {
        return digitsOf(r);
      }
    }
    return digitsOf(exact.round(new MathContext(17, RoundingMode.HALF_EVEN)));
  }

  private static Digits digitsOf(BigDecimal value) {
    BigDecimal bd = value.stripTrailingZeros();
    String unscaled = bd.unscaledValue().toString();
    return new Digits(unscaled, unscaled.length() - bd.scale());
  }

  private static Digits rounded(double abs, int significant) {
    if (abs == 0) {
      return new Digits("", 0);
    }
    return digitsOf(new BigDecimal(abs).round(new MathContext(significant, RoundingMode.HALF_EVEN)));
  }

  /** Go's {@code strconv.FormatFloat(v, fmt, prec, 64)} for fmt in b, e, E, f, g, G, x, X. */
  static String formatFloat(double v, char fmt, int prec) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    boolean neg = v < 0 || (v == 0 && 1 / v < 0);
    double abs = Math.abs(v);
    char lower = Character.toLowerCase(fmt);
    if (lower == 'x' || fmt == 'b') {
      long bits = Double.doubleToRawLongBits(v);
      int exp = (int) ((bits >>> 52) & 0x7FF);
      long mant = bits & ((1L << 52) - 1);
      if (exp == 0) {
        exp++;
      } else {
        mant |= 1L << 52;
      }
      exp -= 1023;
      return fmt == 'b' ? fmtB(neg, mant, exp) : fmtX(prec, fmt, neg, mant, exp);
    }
    boolean shortest = prec < 0;
    String body;
    if (lower == 'f') {
      if (shortest) {
        Digits digs = shortest(abs);
        body = fmtF(digs, Math.max(digs.d.length() - digs.dp, 0));
      } else {
        body = new BigDecimal(abs).setScale(prec, RoundingMode.HALF_EVEN).toPlainString();
      }
    } else if (lower == 'e') {
      Digits digs = shortest ? shortest(abs) : rounded(abs, prec + 1);
      int p = shortest ? Math.max(digs.d.length() - 1, 0) : prec;
      body = fmtE(digs, p, fmt);
    } else {
      Digits digs;
      int p = prec;
      if (shortest) {
        digs = shortest(abs);
        p = digs.d.length();
      } else {
        if (p == 0) {
          p = 1;
        }
        digs = rounded(abs, p);
      }
      int nd = digs.d.length();
      int eprec = p;
      if (eprec > nd && nd >= digs.dp) {
        eprec = nd;
      }
      if (shortest) {
        eprec = 6;
      }
      int exp = digs.dp - 1;
      if (nd == 0) {
        exp = 0;
      }
      if (exp < -4 || exp >= eprec) {
        if (p > nd) {
          p = nd;
        }
        body = fmtE(digs, Math.max(p - 1, 0), fmt == 'G' ? 'E' : 'e');
      } else {
        if (p > digs.dp) {
          p = nd;
        }
        body = fmtF(digs, Math.max(p - digs.dp, 0));
      }
    }
    return neg ? "-" + body : body;
  }

  /** %b: -ddddp±ddd (decimal mantissa, binary exponent). */
  private static String fmtB(boolean neg, long mant, int exp) {
    int e = exp - 52;
    return (neg ? "-" : "") + mant + "p" + (e >= 0 ? "+" : "") + e;
  }

  /** %x: -0x1.yyyyp±dd, a port of strconv's fmtX. */
  private static String fmtX(int prec, char fmt, boolean neg, long mantissa, int exponent) {
    long mant = mantissa;
    int exp = exponent;
    if (mant == 0) {
      exp = 0;
    }
    mant <<= 60 - 52;
    while (mant != 0 && (mant & (1L << 60)) == 0) {
      mant <<= 1;
      exp--;
    }
    if (prec >= 0 && prec < 15) {
      int shift = prec * 4;
      long extra = (mant << shift) & ((1L << 60) - 1);
      mant >>>= 60 - shift;
      if ((extra | (mant & 1)) > (1L << 59)) {
        mant++;
      }
      mant <<= 60 - shift;
      if ((mant & (1L << 61)) != 0) {
        mant >>>= 1;
        exp++;
      }
    }
    String hex = fmt == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    StringBuilder out = new StringBuilder();
    if (neg) {
      out.append('-');
    }
    out.append('0').append(fmt).append((char) ('0' + ((mant >>> 60) & 1)));
    mant <<= 4;
    if (prec < 0 && mant != 0) {
      out.append('.');
      while (mant != 0) {
        out.append(hex.charAt((int) ((mant >>> 60) & 15)));
        mant <<= 4;
      }
    } else if (prec > 0) {
      out.append('.');
      for (int i = 0; i < prec; i++) {
        out.append(hex.charAt((int) ((mant >>> 60) & 15)));
        mant <<= 4;
      }
    }
    out.append(fmt == 'X' ? 'P' : 'p');
    out.append(exp < 0 ? '-' : '+');
    int e = Math.abs(exp);
    if (e < 10) {
      out.append('0');
    }
    out.append(e);
    return out.toString();
  }

  private static String fmtE(Digits digs, int prec, char fmt) {
    StringBuilder out = new StringBuilder();
    String d = digs.d;
    out.append(d.isEmpty() ? '0' : d.charAt(0));
    if (prec > 0) {
      out.append('.');
      int i = 1;
      int m = Math.min(d.length(), prec + 1);
      if (i < m) {
        out.append(d, i, m);
        i = m;
      }
      for (; i <= prec; i++) {
        out.append('0');
      }
    }
    out.append(Character.isUpperCase(fmt) ? 'E' : 'e');
    int exp = d.isEmpty() ? 0 : digs.dp - 1;
    out.append(exp < 0 ? '-' : '+');
    int e = Math.abs(exp);
    if (e < 10) {
      out.append('0');
    }
    out.append(e);
    return out.toString();
  }

  private static String fmtF(Digits digs, int prec) {
    StringBuilder out = new StringBuilder();
    String d = digs.d;
    if (digs.dp > 0) {
      int m = Math.min(d.length(), digs.dp);
      out.append(d, 0, m);
      for (; m < digs.dp; m++) {
        out.append('0');
      }
    } else {
      out.append('0');
    }
    if (prec > 0) {
      out.append('.');
      for (int i = 1; i <= prec; i++) {
        int j = digs.dp + i - 1;
        out.append(j >= 0 && j < d.length() ? d.charAt(j) : '0');
      }
    }
    return out.toString();
  }

  // ------------------------------------------------------------------------------------------
  // Quoting (strconv.Quote, QuoteRune)

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

  // ------------------------------------------------------------------------------------------
  // Printf state machine (a port of the structure of Go's fmt.doPrintf)

  private static final class Printf {
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

    Printf(String format, List<?> args) {
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
            Parsed n = new Printf(rest, List.of()).parseNum(1, k);
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
            out.append(typeName(a)).append('=');
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
        out.append(typeName(arg)).append('=');
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
        padString(typeName(arg));
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
        out.append(sharpV ? typeName(map) + "{" : "map[");
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
        out.append(sharpV ? typeName(list) + "{" : "[");
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
        padString(quote(t, plus));
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
        case 'q' -> padString(quoteRune(v, plus));
        case 'U' -> {
          String hex = Long.toHexString(v).toUpperCase();
          if (hex.length() < 4) {
            hex = "0".repeat(4 - hex.length()) + hex;
          }
          String u = "U+" + hex;
          if (sharp && v >= 0 && v <= Character.MAX_CODE_POINT && isPrint((int) v)) {
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
      String num = formatFloat(v, fmtChar, p);
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
}
