package dev.bunting.gotemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Splits a template into tokens the way Go's {@code text/template/parse} lexer does, with the default
 * delimiters {@code {{ }}}, trim markers ({@code {{- }} and {@code  -}}}) and comments. A lexical error
 * becomes an {@link Type#ERROR} token that ends the stream, so the parser reports errors in source order.
 */
final class TemplateLexer {

  enum Type {
    ERROR, EOF, TEXT, LEFT_DELIM, RIGHT_DELIM, SPACE, IDENTIFIER, FIELD, VARIABLE, DOT, STRING, RAW_STRING,
    CHAR_CONSTANT, NUMBER, COMPLEX, BOOL, NIL, PIPE, LEFT_PAREN, RIGHT_PAREN, DECLARE, ASSIGN, CHAR,
    // keywords
    BLOCK, BREAK, CONTINUE, DEFINE, ELSE, END, IF, RANGE, TEMPLATE, WITH;

    boolean isKeyword() {
      return ordinal() >= BLOCK.ordinal();
    }
  }

  /** One token: its type, source text, and the line it starts on. */
  record Token(Type type, String value, int line) {
    @Override
    public String toString() {
      if (type == Type.EOF) {
        return "EOF";
      }
      if (type == Type.ERROR) {
        return value;
      }
      if (type.isKeyword()) {
        return "<" + value + ">";
      }
      if (value.codePointCount(0, value.length()) > 10) {
        return GoQuote.quote(value.substring(0, value.offsetByCodePoints(0, 10)), false) + "...";
      }
      return GoQuote.quote(value, false);
    }
  }

  private static final String LEFT = "{{";
  private static final String RIGHT = "}}";
  private static final Map<String, Type> KEYWORDS = Map.ofEntries(
      Map.entry(".", Type.DOT), Map.entry("block", Type.BLOCK), Map.entry("break", Type.BREAK),
      Map.entry("continue", Type.CONTINUE), Map.entry("define", Type.DEFINE), Map.entry("else", Type.ELSE),
      Map.entry("end", Type.END), Map.entry("if", Type.IF), Map.entry("range", Type.RANGE),
      Map.entry("nil", Type.NIL), Map.entry("template", Type.TEMPLATE), Map.entry("with", Type.WITH));
  private static final int EOF = -1;

  private final String input;
  private final List<Token> tokens = new ArrayList<>();
  private int pos;
  private int start;
  private int line = 1;
  private int startLine = 1;
  private int parenDepth;
  private boolean done;

  private TemplateLexer(String input) {
    this.input = input;
  }

  static List<Token> lex(String input) {
    TemplateLexer lexer = new TemplateLexer(input);
    lexer.run();
    return lexer.tokens;
  }

  private void run() {
    State state = this::lexText;
    while (!done && state != null) {
      state = state.next();
    }
  }

  @FunctionalInterface
  private interface State {
    State next();
  }

  // -------------------------------------------------------------------------------------------

  private int next() {
    if (pos >= input.length()) {
      pos = input.length() + 1; // mark that we read EOF, so backup() works
      return EOF;
    }
    int r = input.codePointAt(pos);
    pos += Character.charCount(r);
    if (r == '\n') {
      line++;
    }
    return r;
  }

  private int peek() {
    if (pos >= input.length()) {
      return EOF;
    }
    return input.codePointAt(pos);
  }

  private void backup() {
    if (pos > input.length()) {
      pos = input.length();
      return;
    }
    int r = input.codePointBefore(pos);
    pos -= Character.charCount(r);
    if (r == '\n') {
      line--;
    }
  }

  private void emit(Type type) {
    tokens.add(new Token(type, input.substring(start, Math.min(pos, input.length())), startLine));
    start = pos;
    startLine = line;
  }

  private void ignore() {
    start = pos;
    startLine = line;
  }

  /** Moves over n chars without the next() bookkeeping, counting newlines. */
  private void skip(int n) {
    for (int i = 0; i < n && pos < input.length(); i++) {
      if (input.charAt(pos) == '\n') {
        line++;
      }
      pos++;
    }
  }

  private State error(String message) {
    tokens.add(new Token(Type.ERROR, message, startLine));
    done = true;
    return null;
  }

  private boolean accept(String valid) {
    int r = next();
    if (r != EOF && valid.indexOf(r) >= 0) {
      return true;
    }
    backup();
    return false;
  }

  private void acceptRun(String valid) {
    int r;
    do {
      r = next();
    } while (r != EOF && valid.indexOf(r) >= 0);
    backup();
  }

  static boolean isSpace(int r) {
    return r == ' ' || r == '\t' || r == '\r' || r == '\n';
  }

  static boolean isAlphaNumeric(int r) {
    return r == '_' || Character.isLetter(r) || Character.isDigit(r);
  }

  private static boolean hasLeftTrimMarker(String s, int at) {
    return s.length() >= at + 2 && s.charAt(at) == '-' && isSpace(s.charAt(at + 1));
  }

  private static boolean hasRightTrimMarker(String s, int at) {
    return s.length() >= at + 2 && isSpace(s.charAt(at)) && s.charAt(at + 1) == '-';
  }

  /** Reports whether the input at pos is a right delimiter, and whether it carries a trim marker. */
  private boolean[] atRightDelim() {
    if (input.startsWith(RIGHT, pos)) {
      return new boolean[] {true, false};
    }
    if (hasRightTrimMarker(input, pos) && input.startsWith(RIGHT, pos + 2)) {
      return new boolean[] {true, true};
    }
    return new boolean[] {false, false};
  }

  private int leftTrimLength(int from) {
    int i = from;
    while (i < input.length() && isSpace(input.charAt(i))) {
      i++;
    }
    return i - from;
  }

  // -------------------------------------------------------------------------------------------
  // states

  private State lexText() {
    int x = input.indexOf(LEFT, pos);
    if (x >= 0) {
      int trimLength = 0;
      if (hasLeftTrimMarker(input, x + LEFT.length())) {
        int end = x;
        while (end > pos && isSpace(input.charAt(end - 1))) {
          end--;
        }
        trimLength = x - end;
      }
      skip(x - trimLength - pos);
      if (pos > start) {
        emit(Type.TEXT);
      }
      skip(trimLength);
      ignore();
      return this::lexLeftDelim;
    }
    skip(input.length() - pos);
    if (pos > start) {
      emit(Type.TEXT);
    }
    tokens.add(new Token(Type.EOF, "", line));
    done = true;
    return null;
  }

  private State lexLeftDelim() {
    skip(LEFT.length());
    boolean trimSpace = hasLeftTrimMarker(input, pos);
    int afterMarker = trimSpace ? 2 : 0;
    if (input.startsWith("/*", pos + afterMarker)) {
      skip(afterMarker);
      ignore();
      return this::lexComment;
    }
    emit(Type.LEFT_DELIM);
    skip(afterMarker);
    ignore();
    parenDepth = 0;
    return this::lexInsideAction;
  }

  private State lexComment() {
    skip(2);
    int x = input.indexOf("*/", pos);
    if (x < 0) {
      return error("unclosed comment");
    }
    skip(x + 2 - pos);
    boolean[] delim = atRightDelim();
    if (!delim[0]) {
      return error("comment ends before closing delimiter");
    }
    if (delim[1]) {
      skip(2);
    }
    skip(RIGHT.length());
    if (delim[1]) {
      skip(leftTrimLength(pos));
    }
    ignore();
    return this::lexText;
  }

  private State lexRightDelim() {
    boolean trimSpace = hasRightTrimMarker(input, pos);
    if (trimSpace) {
      skip(2);
      ignore();
    }
    skip(RIGHT.length());
    emit(Type.RIGHT_DELIM);
    if (trimSpace) {
      skip(leftTrimLength(pos));
      ignore();
    }
    return this::lexText;
  }

  private State lexInsideAction() {
    boolean[] delim = atRightDelim();
    if (delim[0]) {
      if (parenDepth == 0) {
        return this::lexRightDelim;
      }
      return error("unclosed left paren");
    }
    int r = next();
    if (r == EOF) {
      return error("unclosed action");
    } else if (isSpace(r)) {
      backup();
      return this::lexSpace;
    } else if (r == '=') {
      emit(Type.ASSIGN);
    } else if (r == ':') {
      if (next() != '=') {
        return error("expected :=");
      }
      emit(Type.DECLARE);
    } else if (r == '|') {
      emit(Type.PIPE);
    } else if (r == '"') {
      return this::lexQuote;
    } else if (r == '`') {
      return this::lexRawQuote;
    } else if (r == '$') {
      return () -> lexFieldOrVariable(Type.VARIABLE);
    } else if (r == '\'') {
      return this::lexChar;
    } else if (r == '.') {
      if (pos < input.length()) {
        char c = input.charAt(pos);
        if (c < '0' || c > '9') {
          return () -> lexFieldOrVariable(Type.FIELD);
        }
      }
      backup();
      return this::lexNumber;
    } else if (r == '+' || r == '-' || (r >= '0' && r <= '9')) {
      backup();
      return this::lexNumber;
    } else if (isAlphaNumeric(r)) {
      backup();
      return this::lexIdentifier;
    } else if (r == '(') {
      emit(Type.LEFT_PAREN);
      parenDepth++;
    } else if (r == ')') {
      parenDepth--;
      if (parenDepth < 0) {
        return error("unexpected right paren");
      }
      emit(Type.RIGHT_PAREN);
    } else if (r < 0x80 && r >= ' ' && r != 0x7F) {
      emit(Type.CHAR);
    } else {
      return error("unrecognized character in action: " + describeRune(r));
    }
    return this::lexInsideAction;
  }

  private State lexSpace() {
    int numSpaces = 0;
    while (isSpace(peek())) {
      next();
      numSpaces++;
    }
    if (hasRightTrimMarker(input, pos - 1) && input.startsWith(RIGHT, pos - 1 + 2)) {
      backup();
      if (numSpaces == 1) {
        return this::lexRightDelim;
      }
    }
    emit(Type.SPACE);
    return this::lexInsideAction;
  }

  private State lexIdentifier() {
    while (true) {
      int r = next();
      if (isAlphaNumeric(r)) {
        continue;
      }
      backup();
      String word = input.substring(start, pos);
      if (!atTerminator()) {
        return error("bad character " + describeRune(r));
      }
      Type keyword = KEYWORDS.get(word);
      if (keyword != null) {
        emit(keyword);
      } else if (word.equals("true") || word.equals("false")) {
        emit(Type.BOOL);
      } else {
        emit(Type.IDENTIFIER);
      }
      return this::lexInsideAction;
    }
  }

  private State lexFieldOrVariable(Type type) {
    if (atTerminator()) {
      emit(type == Type.VARIABLE ? Type.VARIABLE : Type.DOT);
      return this::lexInsideAction;
    }
    int r;
    while (true) {
      r = next();
      if (!isAlphaNumeric(r)) {
        backup();
        break;
      }
    }
    if (!atTerminator()) {
      return error("bad character " + describeRune(r));
    }
    emit(type);
    return this::lexInsideAction;
  }

  private boolean atTerminator() {
    int r = peek();
    if (isSpace(r)) {
      return true;
    }
    switch (r) {
      case EOF, '.', ',', '|', ':', ')', '(' -> {
        return true;
      }
      default -> {
        return input.startsWith(RIGHT, pos);
      }
    }
  }

  private State lexChar() {
    while (true) {
      int r = next();
      if (r == '\\') {
        r = next();
        if (r != EOF && r != '\n') {
          continue;
        }
      }
      if (r == EOF || r == '\n') {
        return error("unterminated character constant");
      }
      if (r == '\'') {
        break;
      }
    }
    emit(Type.CHAR_CONSTANT);
    return this::lexInsideAction;
  }

  private State lexNumber() {
    if (!scanNumber()) {
      return error("bad number syntax: " + GoQuote.quote(input.substring(start, Math.min(pos, input.length())),
          false));
    }
    int sign = peek();
    if (sign == '+' || sign == '-') {
      if (!scanNumber() || input.charAt(pos - 1) != 'i') {
        return error("bad number syntax: " + GoQuote.quote(input.substring(start, Math.min(pos,
            input.length())), false));
      }
      emit(Type.COMPLEX);
    } else {
      emit(Type.NUMBER);
    }
    return this::lexInsideAction;
  }

  private boolean scanNumber() {
    accept("+-");
    String digits = "0123456789_";
    if (accept("0")) {
      if (accept("xX")) {
        digits = "0123456789abcdefABCDEF_";
      } else if (accept("oO")) {
        digits = "01234567_";
      } else if (accept("bB")) {
        digits = "01_";
      }
    }
    acceptRun(digits);
    if (accept(".")) {
      acceptRun(digits);
    }
    if (digits.length() == 11 && accept("eE")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    if (digits.length() == 23 && accept("pP")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    accept("i");
    if (isAlphaNumeric(peek())) {
      next();
      return false;
    }
    return true;
  }

  private State lexQuote() {
    while (true) {
      int r = next();
      if (r == '\\') {
        r = next();
        if (r != EOF && r != '\n') {
          continue;
        }
      }
      if (r == EOF || r == '\n') {
        return error("unterminated quoted string");
      }
      if (r == '"') {
        break;
      }
    }
    emit(Type.STRING);
    return this::lexInsideAction;
  }

  private State lexRawQuote() {
    while (true) {
      int r = next();
      if (r == EOF) {
        return error("unterminated raw quoted string");
      }
      if (r == '`') {
        break;
      }
    }
    emit(Type.RAW_STRING);
    return this::lexInsideAction;
  }

  /** Go's {@code %#U}: {@code U+0023 '#'}. */
  static String describeRune(int r) {
    if (r == EOF) {
      return "U+FFFFFFFF";
    }
    String hex = Integer.toHexString(r).toUpperCase();
    if (hex.length() < 4) {
      hex = "0".repeat(4 - hex.length()) + hex;
    }
    String s = "U+" + hex;
    if (GoQuote.isPrint(r)) {
      s += " '" + new String(Character.toChars(r)) + "'";
    }
    return s;
  }
}
