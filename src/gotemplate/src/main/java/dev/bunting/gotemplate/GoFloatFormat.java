package dev.bunting.gotemplate;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Go's {@code strconv.FormatFloat} for the formats {@code fmt} uses: b, e, E, f, g, G, x, X. */
final class GoFloatFormat {

  private GoFloatFormat() {}

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
}
