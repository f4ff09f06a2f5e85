package dev.bunting.kube;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.bunting.api.ReadProblems;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Reads whole-number fields ({@code Integer}, {@code int}, {@code Long}, {@code long}) from any JSON number without
 * failing. Flagger's CRDs, which Bunting keeps, declare fields such as {@code stepWeight} as {@code type: number}, so
 * the API server stores {@code 10.5} or {@code 1e308} there; Jackson would refuse the value, and fabric8's informer
 * stops watching the whole kind on the first object it cannot read (one Canary would silence every other). Here the
 * value is truncated toward zero and clamped to the type's range, and inside an object that implements
 * {@link ReadProblems} (a Canary) each such field is listed on the object, which the controller then reports as
 * {@code InvalidSpec} and leaves alone. Register with {@link #module()}.
 */
public final class WholeNumbers {
  /** The {@link ReadProblems} objects being read on this thread, innermost last. */
  private static final ThreadLocal<Deque<Open>> OPEN = ThreadLocal.withInitial(ArrayDeque::new);

  /** One object being read: where it starts in the document (e.g. {@code /items/3} in a list) and its problems. */
  private record Open(String root, List<String> problems) {}

  private WholeNumbers() {}

  public static SimpleModule module() {
    SimpleModule m = new SimpleModule("bunting-whole-numbers");
    m.addDeserializer(Integer.class, new Reader<>(Integer.class, false, Integer.MIN_VALUE, Integer.MAX_VALUE));
    m.addDeserializer(int.class, new Reader<>(Integer.class, true, Integer.MIN_VALUE, Integer.MAX_VALUE));
    m.addDeserializer(Long.class, new Reader<>(Long.class, false, Long.MIN_VALUE, Long.MAX_VALUE));
    m.addDeserializer(long.class, new Reader<>(Long.class, true, Long.MIN_VALUE, Long.MAX_VALUE));
    m.setDeserializerModifier(new BeanDeserializerModifier() {
      @Override
      public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription desc,
          JsonDeserializer<?> deserializer) {
        return ReadProblems.class.isAssignableFrom(desc.getBeanClass()) ? new Collecting(deserializer) : deserializer;
      }
    });
    return m;
  }

  /** {@code /spec/analysis/stepWeights/2} → {@code spec.analysis.stepWeights[2]}. */
  static String fieldPath(JsonPointer pointer) {
    StringBuilder sb = new StringBuilder();
    for (JsonPointer p = pointer; p != null && !p.matches(); p = p.tail()) {
      if (p.mayMatchElement()) {
        sb.append('[').append(p.getMatchingIndex()).append(']');
      } else {
        sb.append(sb.length() == 0 ? "" : ".").append(p.getMatchingProperty());
      }
    }
    return sb.length() == 0 ? "value" : sb.toString();
  }

  private static void problem(JsonParser p, String what) {
    Open open = OPEN.get().peekLast();
    if (open != null) {
      String at = p.getParsingContext().pathAsPointer().toString();
      String relative = at.startsWith(open.root()) ? at.substring(open.root().length()) : at;
      open.problems().add(fieldPath(JsonPointer.compile(relative)) + ": " + what);
    }
  }

  private static final class Reader<T extends Number> extends StdScalarDeserializer<T> {
    private final Class<T> type;
    private final boolean primitive;
    private final long min;
    private final long max;

    Reader(Class<T> type, boolean primitive, long min, long max) {
      super(type);
      this.type = type;
      this.primitive = primitive;
      this.min = min;
      this.max = max;
    }

    @Override
    public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonToken t = p.currentToken();
      BigDecimal value;
      if (t == JsonToken.VALUE_NUMBER_INT && (p.getNumberType() == JsonParser.NumberType.INT
          || p.getNumberType() == JsonParser.NumberType.LONG && type == Long.class)) {
        return box(p.getLongValue()); // the common case: fits as it is
      } else if (t == JsonToken.VALUE_NUMBER_INT) {
        value = new BigDecimal(p.getBigIntegerValue());
      } else if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_STRING) {
        String text = p.getText().trim();
        try {
          value = new BigDecimal(text);
        } catch (NumberFormatException e) { // "Infinity" for a number beyond a double (1e999), or not a number
          if (text.matches("[+-]?Infinity")) {
            boolean above = !text.startsWith("-");
            problem(p, text + (above ? " is more than " + max : " is less than " + min));
            return box(above ? max : min);
          }
          problem(p, "\"" + excerpt(text) + "\" is not a number");
          return getNullValue(ctxt);
        }
      } else if (t == JsonToken.VALUE_NULL) {
        return getNullValue(ctxt);
      } else {
        problem(p, "expected a whole number, found " + t);
        p.skipChildren();
        return getNullValue(ctxt);
      }
      if (value.precision() - value.scale() > 19) { // more digits before the point than any long has (1e308)
        boolean above = value.signum() > 0;
        problem(p, shown(value) + (above ? " is more than " + max : " is less than " + min));
        return box(above ? max : min);
      }
      BigDecimal whole = value.setScale(0, RoundingMode.DOWN);
      if (whole.compareTo(value) != 0) {
        // as a double prints it: the same text whether the API server's JSON said 5e-324 or a watch event 4.9E-324
        problem(p, Double.toString(value.doubleValue()) + " is not a whole number");
      }
      long n;
      if (whole.compareTo(BigDecimal.valueOf(max)) > 0) {
        problem(p, shown(value) + " is more than " + max);
        n = max;
      } else if (whole.compareTo(BigDecimal.valueOf(min)) < 0) {
        problem(p, shown(value) + " is less than " + min);
        n = min;
      } else {
        n = whole.longValueExact();
      }
      return box(n);
    }

    private T box(long n) {
      if (type == Integer.class) {
        return type.cast(Integer.valueOf((int) n));
      }
      return type.cast(Long.valueOf(n));
    }

    @Override
    public T getNullValue(DeserializationContext ctxt) {
      if (!primitive) {
        return null;
      }
      return box(0);
    }

    /** {@code 10.5}, {@code -2500000000}; in scientific notation when long ({@code 1E+308}, {@code 4.9E-324}). */
    private static String shown(BigDecimal value) {
      BigDecimal v = value.stripTrailingZeros();
      return v.precision() - v.scale() <= 24 && v.scale() <= 24 ? v.toPlainString() : v.toString();
    }

    private static String excerpt(String s) {
      return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
  }

  /** Opens a problem list around the reading of a {@link ReadProblems} object and hands it the list. */
  private static final class Collecting extends DelegatingDeserializer {
    Collecting(JsonDeserializer<?> delegate) {
      super(delegate);
    }

    @Override
    protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> newDelegatee) {
      return new Collecting(newDelegatee);
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      List<String> problems = new ArrayList<>();
      Deque<Open> open = OPEN.get();
      open.addLast(new Open(p.getParsingContext().pathAsPointer().toString(), problems));
      try {
        Object value = super.deserialize(p, ctxt);
        if (value instanceof ReadProblems r) {
          r.readProblems(problems);
        }
        return value;
      } finally {
        open.removeLast();
      }
    }
  }
}
