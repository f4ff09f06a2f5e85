package dev.bunting.gotemplate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Go's predefined template functions ({@code text/template/funcs.go}): {@code and or not len index slice
 * print printf println html js urlquery eq ne lt le gt ge call}. {@code and} and {@code or} short-circuit
 * and so are evaluated by {@link TemplateExecution}; the rest take evaluated arguments here.
 */
final class BuiltinFunctions {

  /** Arity of a builtin: fixed parameters, and whether more may follow. */
  record Arity(int fixed, boolean variadic) {}

  static final Map<String, Arity> ARITY = Map.ofEntries(
      Map.entry("and", new Arity(1, true)),
      Map.entry("or", new Arity(1, true)),
      Map.entry("not", new Arity(1, false)),
      Map.entry("len", new Arity(1, false)),
      Map.entry("index", new Arity(1, true)),
      Map.entry("slice", new Arity(1, true)),
      Map.entry("print", new Arity(0, true)),
      Map.entry("printf", new Arity(1, true)),
      Map.entry("println", new Arity(0, true)),
      Map.entry("html", new Arity(0, true)),
      Map.entry("js", new Arity(0, true)),
      Map.entry("urlquery", new Arity(0, true)),
      Map.entry("eq", new Arity(1, true)),
      Map.entry("ne", new Arity(2, false)),
      Map.entry("lt", new Arity(2, false)),
      Map.entry("le", new Arity(2, false)),
      Map.entry("gt", new Arity(2, false)),
      Map.entry("ge", new Arity(2, false)),
      Map.entry("call", new Arity(1, true)));

  static final Set<String> NAMES = ARITY.keySet();

  private BuiltinFunctions() {}

  /** Thrown by a builtin; the executor reports it as {@code error calling <name>: <message>}. */
  static final class BuiltinError extends Exception {
    private static final long serialVersionUID = 1L;

    BuiltinError(String message) {
      super(message, null, false, false);
    }
  }

  static Object call(String name, List<Object> args) throws BuiltinError {
    return switch (name) {
      case "not" -> !isTrue(args.get(0));
      case "len" -> length(args.get(0));
      case "index" -> index(args.get(0), args.subList(1, args.size()));
      case "slice" -> slice(args.get(0), args.subList(1, args.size()));
      case "print" -> GoFormat.sprint(args);
      case "printf" -> GoFormat.sprintf((String) args.get(0), args.subList(1, args.size()));
      case "println" -> GoFormat.sprintln(args);
      case "html" -> htmlEscape(evalArgs(args));
      case "js" -> jsEscape(evalArgs(args));
      case "urlquery" -> queryEscape(evalArgs(args));
      case "eq" -> eq(args.get(0), args.subList(1, args.size()));
      case "ne" -> !eq(args.get(0), args.subList(1, 2));
      case "lt" -> lt(args.get(0), args.get(1));
      case "le" -> lt(args.get(0), args.get(1)) || eq(args.get(0), args.subList(1, 2));
      case "gt" -> !(lt(args.get(0), args.get(1)) || eq(args.get(0), args.subList(1, 2)));
      case "ge" -> !lt(args.get(0), args.get(1));
      case "call" -> throw new BuiltinError("non-function " + GoFormat.valueString(args.get(0)) + " of type "
          + GoFormat.typeName(args.get(0)));
      default -> throw new IllegalStateException("not a builtin: " + name);
    };
  }

  /** Go's truth: false, 0, nil, and empty strings, maps and slices are false. */
  static boolean isTrue(Object v) {
    if (v == null) {
      return false;
    } else if (v instanceof Boolean b) {
      return b;
    } else if (v instanceof Double || v instanceof Float) {
      return ((Number) v).doubleValue() != 0;
    } else if (v instanceof Number n) {
      return n.longValue() != 0;
    } else if (v instanceof String s) {
      return !s.isEmpty();
    } else if (v instanceof Map<?, ?> m) {
      return !m.isEmpty();
    } else if (v instanceof List<?> l) {
      return !l.isEmpty();
    }
    return true;
  }

  private static long length(Object item) throws BuiltinError {
    if (item == null) {
      throw new BuiltinError("len of nil pointer");
    } else if (item instanceof String s) {
      return s.getBytes(StandardCharsets.UTF_8).length;
    } else if (item instanceof Map<?, ?> m) {
      return m.size();
    } else if (item instanceof List<?> l) {
      return l.size();
    }
    throw new BuiltinError("len of type " + GoFormat.typeName(item));
  }

  private static Object index(Object item, List<Object> indexes) throws BuiltinError {
    if (item == null) {
      throw new BuiltinError("index of untyped nil");
    }
    Object current = item;
    for (Object idx : indexes) {
      if (current == null) {
        throw new BuiltinError("index of nil pointer");
      }
      if (current instanceof List<?> list) {
        current = list.get(indexArg(idx, list.size()));
      } else if (current instanceof String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        current = (long) (bytes[indexArg(idx, bytes.length)] & 0xFF);
      } else if (current instanceof Map<?, ?> map) {
        if (!(idx instanceof String)) {
          throw new BuiltinError("value has type " + GoFormat.typeName(idx) + "; should be string");
        }
        if (map.containsKey(idx)) {
          current = TemplateExecution.normalize(map.get(idx));
        } else {
          current = zeroOfElements(map);
        }
      } else {
        throw new BuiltinError("can't index item of type " + GoFormat.typeName(current));
      }
    }
    return current;
  }

  /** The zero value of a map's element type: "" for a map of strings, nil otherwise. */
  static Object zeroOfElements(Map<?, ?> map) {
    return map.values().stream().allMatch(v -> v instanceof String) ? "" : null;
  }

  private static int indexArg(Object index, int size) throws BuiltinError {
    if (index == null) {
      throw new BuiltinError("cannot index slice/array with nil");
    }
    if (!(index instanceof Number) || index instanceof Double || index instanceof Float) {
      throw new BuiltinError("cannot index slice/array with type " + GoFormat.typeName(index));
    }
    long x = ((Number) index).longValue();
    if (x < 0 || x >= size) {
      throw new BuiltinError("index out of range: " + x);
    }
    return (int) x;
  }

  private static Object slice(Object item, List<Object> indexes) throws BuiltinError {
    if (item == null) {
      throw new BuiltinError("slice of untyped nil");
    }
    if (indexes.size() > 3) {
      throw new BuiltinError("too many slice indexes: " + indexes.size());
    }
    int size;
    if (item instanceof String s) {
      if (indexes.size() == 3) {
        throw new BuiltinError("cannot 3-index slice a string");
      }
      size = s.length();
    } else if (item instanceof List<?> l) {
      size = l.size();
    } else {
      throw new BuiltinError("can't slice item of type " + GoFormat.typeName(item));
    }
    int[] idx = {0, size, size};
    for (int i = 0; i < indexes.size(); i++) {
      Object v = indexes.get(i);
      if (!(v instanceof Number) || v instanceof Double) {
        throw new BuiltinError("cannot index slice/array with type " + GoFormat.typeName(v));
      }
      long x = ((Number) v).longValue();
      if (x < 0 || x > size) {
        throw new BuiltinError("index out of range: " + x);
      }
      idx[i] = (int) x;
    }
    if (idx[0] > idx[1]) {
      throw new BuiltinError("invalid slice index: " + idx[0] + " > " + idx[1]);
    }
    if (item instanceof String s) {
      return s.substring(idx[0], idx[1]);
    }
    return new ArrayList<>(((List<?>) item).subList(idx[0], idx[1]));
  }

  // -------------------------------------------------------------------------------------------
  // comparisons

  private enum Kind { BOOL, INT, FLOAT, STRING, OTHER, NIL }

  private static Kind kind(Object v) {
    if (v == null) {
      return Kind.NIL;
    } else if (v instanceof Boolean) {
      return Kind.BOOL;
    } else if (v instanceof Double || v instanceof Float) {
      return Kind.FLOAT;
    } else if (v instanceof Number) {
      return Kind.INT;
    } else if (v instanceof String) {
      return Kind.STRING;
    }
    return Kind.OTHER;
  }

  private static boolean eq(Object arg1, List<Object> others) throws BuiltinError {
    if (others.isEmpty()) {
      throw new BuiltinError("missing argument for comparison");
    }
    Kind k1 = kind(arg1);
    for (Object arg : others) {
      Kind k2 = kind(arg);
      boolean truth;
      if (k1 != k2) {
        if (k1 != Kind.NIL && k2 != Kind.NIL) {
          throw incompatible(arg1, arg);
        }
        truth = false;
      } else {
        truth = switch (k1) {
          case BOOL, STRING -> arg1.equals(arg);
          case INT -> ((Number) arg1).longValue() == ((Number) arg).longValue();
          case FLOAT -> ((Number) arg1).doubleValue() == ((Number) arg).doubleValue();
          case NIL -> true;
          case OTHER -> throw new BuiltinError("non-comparable type " + GoFormat.sprintf("%s", List.of(arg)) + ": "
              + GoFormat.typeName(arg));
        };
      }
      if (truth) {
        return true;
      }
    }
    return false;
  }

  private static boolean lt(Object arg1, Object arg2) throws BuiltinError {
    Kind k1 = kind(arg1);
    Kind k2 = kind(arg2);
    if (k1 == Kind.NIL || k1 == Kind.OTHER || k2 == Kind.NIL || k2 == Kind.OTHER) {
      throw new BuiltinError("invalid type for comparison");
    }
    if (k1 != k2) {
      throw incompatible(arg1, arg2);
    }
    return switch (k1) {
      case INT -> ((Number) arg1).longValue() < ((Number) arg2).longValue();
      case FLOAT -> ((Number) arg1).doubleValue() < ((Number) arg2).doubleValue();
      case STRING -> compareBytes((String) arg1, (String) arg2) < 0;
      default -> throw new BuiltinError("invalid type for comparison");
    };
  }

  private static BuiltinError incompatible(Object a, Object b) {
    return new BuiltinError("incompatible types for comparison: " + GoFormat.typeName(a) + " and "
        + GoFormat.typeName(b));
  }

  private static int compareBytes(String a, String b) {
    byte[] x = a.getBytes(StandardCharsets.UTF_8);
    byte[] y = b.getBytes(StandardCharsets.UTF_8);
    int n = Math.min(x.length, y.length);
    for (int i = 0; i < n; i++) {
      int c = Integer.compare(x[i] & 0xFF, y[i] & 0xFF);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.length, y.length);
  }

  // -------------------------------------------------------------------------------------------
  // escaping

  /** Go's evalArgs: one string argument as is, anything else through {@code fmt.Sprint}. */
  private static String evalArgs(List<Object> args) {
    if (args.size() == 1 && args.get(0) instanceof String s) {
      return s;
    }
    List<Object> printable = new ArrayList<>(args.size());
    for (Object a : args) {
      printable.add(a == null ? "<no value>" : a);
    }
    return GoFormat.sprint(printable);
  }

  static String htmlEscape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("&#34;");
        case '\'' -> out.append("&#39;");
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '\0' -> out.append('\uFFFD');
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  static String jsEscape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    s.codePoints().forEach(c -> {
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\'' -> out.append("\\'");
        case '"' -> out.append("\\\"");
        case '<' -> out.append("\\u003C");
        case '>' -> out.append("\\u003E");
        case '&' -> out.append("\\u0026");
        case '=' -> out.append("\\u003D");
        default -> {
          if (c < ' ') {
            out.append(String.format("\\u00%02X", c));
          } else if (c >= 0x80 && !GoQuote.isPrint(c)) {
            out.append(String.format("\\u%04X", c));
          } else {
            out.appendCodePoint(c);
          }
        }
      }
    });
    return out.toString();
  }

  /** Go's {@code url.QueryEscape}. */
  static String queryEscape(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xFF;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~') {
        out.append((char) c);
      } else if (c == ' ') {
        out.append('+');
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
      }
    }
    return out.toString();
  }
}
