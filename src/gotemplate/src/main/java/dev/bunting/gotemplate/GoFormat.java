package dev.bunting.gotemplate;

import java.util.List;
import java.util.Map;

/**
 * Go's {@code fmt} package, for the values a query template handles: {@code Sprintf}, {@code Sprint},
 * {@code Sprintln} and Go's default formatting of floats and durations.
 *
 * <p>Values are modelled as Go would see them: {@link String} is {@code string}, {@link Long} (and any
 * other integral {@link Number}) is {@code int}, {@link Double} is {@code float64}, {@link Boolean} is
 * {@code bool}, a {@link Map} is a map (keys printed in sorted order), a {@link List} a slice and
 * {@code null} is {@code nil}.
 *
 * <p>Supported verbs: {@code %v %s %d %q %f %F %e %E %g %G %x %X %o %O %b %c %U %t %T %%} (floats also
 * {@code %x %X %b}), flags {@code + - # 0} and space, width and precision (also {@code *}) and explicit argument indexes
 * ({@code %[1]s}). Mismatches render the way Go renders them ({@code %!d(string=x)},
 * {@code %!s(MISSING)}, {@code %!(EXTRA int=1)}).
 */
public final class GoFormat {

  private GoFormat() {}

  /** Go's {@code fmt.Sprintf}. */
  public static String sprintf(String format, List<?> args) {
    return new GoPrintf(format, args).run();
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
    return new GoPrintf("%v", List.of()).formatOne(value, 'v');
  }

  /** Go's {@code %v} of a float64: shortest digits, exponent form when the exponent is below -4 or at least 6 ({@code 1e+06}). */
  public static String floatString(double value) {
    return GoFloatFormat.formatFloat(value, 'g', -1);
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
}
