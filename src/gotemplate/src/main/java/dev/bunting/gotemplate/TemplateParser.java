package dev.bunting.gotemplate;

import dev.bunting.gotemplate.Node.ActionNode;
import dev.bunting.gotemplate.Node.BoolNode;
import dev.bunting.gotemplate.Node.BranchNode;
import dev.bunting.gotemplate.Node.BreakNode;
import dev.bunting.gotemplate.Node.ChainNode;
import dev.bunting.gotemplate.Node.CommandNode;
import dev.bunting.gotemplate.Node.ContinueNode;
import dev.bunting.gotemplate.Node.DotNode;
import dev.bunting.gotemplate.Node.ElseNode;
import dev.bunting.gotemplate.Node.EndNode;
import dev.bunting.gotemplate.Node.FieldNode;
import dev.bunting.gotemplate.Node.IdentifierNode;
import dev.bunting.gotemplate.Node.ListNode;
import dev.bunting.gotemplate.Node.NilNode;
import dev.bunting.gotemplate.Node.NumberNode;
import dev.bunting.gotemplate.Node.PipeNode;
import dev.bunting.gotemplate.Node.StringNode;
import dev.bunting.gotemplate.Node.TextNode;
import dev.bunting.gotemplate.Node.VariableNode;
import dev.bunting.gotemplate.TemplateLexer.Token;
import dev.bunting.gotemplate.TemplateLexer.Type;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Builds the parse tree from tokens, following Go's {@code text/template/parse} (the recursive-descent
 * structure, variable scoping, and the error messages). Functions must be known when parsing, as in Go:
 * an unknown name is {@code function "x" not defined}.
 */
final class TemplateParser {

  private final List<Token> tokens;
  private final Set<String> functions;
  private final List<String> vars = new ArrayList<>(List.of("$"));
  private int index;
  private int rangeDepth;
  private int actionLine;
  private int errorLine = 1;

  private TemplateParser(List<Token> tokens, Set<String> functions) {
    this.tokens = tokens;
    this.functions = functions;
  }

  static ListNode parse(String source, Set<String> functions) {
    return new TemplateParser(TemplateLexer.lex(source), functions).parseRoot();
  }

  // -------------------------------------------------------------------------------------------
  // token stream

  private Token next() {
    Token t = tokens.get(Math.min(index, tokens.size() - 1));
    index++;
    errorLine = t.line();
    return t;
  }

  private void backup() {
    index--;
  }

  private Token peek() {
    Token t = next();
    backup();
    return t;
  }

  private Token nextNonSpace() {
    Token t;
    do {
      t = next();
    } while (t.type() == Type.SPACE);
    return t;
  }

  private Token peekNonSpace() {
    Token t = nextNonSpace();
    backup();
    return t;
  }

  private Token expect(Type expected, String context) {
    Token t = nextNonSpace();
    if (t.type() != expected) {
      unexpected(t, context);
    }
    return t;
  }

  private TemplateException error(String message) {
    return new TemplateException(errorLine, message);
  }

  private void unexpected(Token token, String context) {
    if (token.type() == Type.ERROR) {
      String extra = "";
      if (actionLine != 0 && actionLine != token.line()) {
        extra = token.value().endsWith(" action")
            ? " started at line " + actionLine
            : " in action started at line " + actionLine;
      }
      throw error(token.value() + extra);
    }
    throw error("unexpected " + token + " in " + context);
  }

  // -------------------------------------------------------------------------------------------
  // grammar

  private ListNode parseRoot() {
    List<Node> nodes = new ArrayList<>();
    while (peek().type() != Type.EOF) {
      Node n = textOrAction();
      if (n instanceof EndNode || n instanceof ElseNode) {
        throw error("unexpected " + n);
      }
      nodes.add(n);
    }
    return new ListNode(1, nodes);
  }

  private Node textOrAction() {
    Token token = nextNonSpace();
    switch (token.type()) {
      case TEXT -> {
        return new TextNode(token.line(), token.value());
      }
      case LEFT_DELIM -> {
        actionLine = token.line();
        try {
          return action();
        } finally {
          actionLine = 0;
        }
      }
      default -> {
        unexpected(token, "input");
        return null;
      }
    }
  }

  private Node action() {
    Token token = nextNonSpace();
    switch (token.type()) {
      case BLOCK, DEFINE, TEMPLATE -> throw error("{{" + token.value() + "}} is not supported in query templates");
      case BREAK -> {
        return loopControl(token, "break");
      }
      case CONTINUE -> {
        return loopControl(token, "continue");
      }
      case ELSE -> {
        return elseControl();
      }
      case END -> {
        return new EndNode(expect(Type.RIGHT_DELIM, "end").line());
      }
      case IF -> {
        return control(BranchNode.Kind.IF, "if");
      }
      case RANGE -> {
        return control(BranchNode.Kind.RANGE, "range");
      }
      case WITH -> {
        return control(BranchNode.Kind.WITH, "with");
      }
      default -> {
        backup();
        Token first = peek();
        return new ActionNode(first.line(), pipeline("command", Type.RIGHT_DELIM));
      }
    }
  }

  private Node loopControl(Token token, String word) {
    Token t = nextNonSpace();
    if (t.type() != Type.RIGHT_DELIM) {
      unexpected(t, "{{" + word + "}}");
    }
    if (rangeDepth == 0) {
      throw error("{{" + word + "}} outside {{range}}");
    }
    return word.equals("break") ? new BreakNode(token.line()) : new ContinueNode(token.line());
  }

  private Node elseControl() {
    Token peek = peekNonSpace();
    if (peek.type() == Type.IF || peek.type() == Type.WITH) {
      return new ElseNode(peek.line());
    }
    return new ElseNode(expect(Type.RIGHT_DELIM, "else").line());
  }

  private BranchNode control(BranchNode.Kind kind, String context) {
    int mark = vars.size();
    try {
      PipeNode pipe = pipeline(context, Type.RIGHT_DELIM);
      if (kind == BranchNode.Kind.RANGE) {
        rangeDepth++;
      }
      Items body = itemList();
      if (kind == BranchNode.Kind.RANGE) {
        rangeDepth--;
      }
      ListNode list = body.list();
      Node next = body.terminator();
      ListNode elseList = null;
      if (next instanceof ElseNode) {
        if (kind == BranchNode.Kind.IF && peek().type() == Type.IF) {
          next();
          elseList = new ListNode(next.line(), List.of(control(BranchNode.Kind.IF, "if")));
        } else if (kind == BranchNode.Kind.WITH && peek().type() == Type.WITH) {
          next();
          elseList = new ListNode(next.line(), List.of(control(BranchNode.Kind.WITH, "with")));
        } else {
          Items elseItems = itemList();
          elseList = elseItems.list();
          if (!(elseItems.terminator() instanceof EndNode)) {
            throw error("expected end; found " + elseItems.terminator());
          }
        }
      }
      return new BranchNode(pipe.line(), kind, pipe, list, elseList);
    } finally {
      while (vars.size() > mark) {
        vars.remove(vars.size() - 1);
      }
    }
  }

  /** The nodes of a branch and the {@code {{end}}} or {@code {{else}}} that ended them. */
  private record Items(ListNode list, Node terminator) {}

  /** Parses nodes up to {@code {{end}}} or {@code {{else}}}. */
  private Items itemList() {
    List<Node> nodes = new ArrayList<>();
    int line = peekNonSpace().line();
    while (peekNonSpace().type() != Type.EOF) {
      Node n = textOrAction();
      if (n instanceof EndNode || n instanceof ElseNode) {
        return new Items(new ListNode(line, nodes), n);
      }
      nodes.add(n);
    }
    throw error("unexpected EOF");
  }

  private PipeNode pipeline(String context, Type end) {
    int line = peekNonSpace().line();
    boolean isAssign = false;
    List<VariableNode> decl = new ArrayList<>();
    boolean again = true;
    while (again) {
      again = false;
      Token v = peekNonSpace();
      if (v.type() != Type.VARIABLE) {
        break;
      }
      // peekNonSpace() consumed the spaces before v: index is at v itself
      int before = index;
      nextNonSpace();
      Token next = peekNonSpace();
      if (next.type() == Type.ASSIGN || next.type() == Type.DECLARE) {
        isAssign = next.type() == Type.ASSIGN;
        nextNonSpace();
        decl.add(new VariableNode(v.line(), List.of(v.value())));
        vars.add(v.value());
      } else if (next.type() == Type.CHAR && next.value().equals(",")) {
        nextNonSpace();
        decl.add(new VariableNode(v.line(), List.of(v.value())));
        vars.add(v.value());
        if (context.equals("range") && decl.size() < 2) {
          Type t = peekNonSpace().type();
          if (t == Type.VARIABLE || t == Type.RIGHT_DELIM || t == Type.RIGHT_PAREN) {
            again = true;
            continue;
          }
          throw error("range can only initialize variables");
        }
        throw error("too many declarations in " + context);
      } else {
        // not a declaration ("$x foo"): push the variable and anything after it back
        index = before;
      }
    }
    List<CommandNode> cmds = new ArrayList<>();
    while (true) {
      Token token = nextNonSpace();
      if (token.type() == end) {
        checkPipeline(cmds, context);
        return new PipeNode(line, isAssign, List.copyOf(decl), List.copyOf(cmds));
      }
      switch (token.type()) {
        case BOOL, CHAR_CONSTANT, COMPLEX, DOT, FIELD, IDENTIFIER, NUMBER, NIL, RAW_STRING, STRING, VARIABLE,
            LEFT_PAREN -> {
          backup();
          cmds.add(command());
        }
        default -> unexpected(token, context);
      }
    }
  }

  private void checkPipeline(List<CommandNode> cmds, String context) {
    if (cmds.isEmpty()) {
      throw error("missing value for " + context);
    }
    for (int i = 1; i < cmds.size(); i++) {
      Node first = cmds.get(i).args().get(0);
      if (first instanceof BoolNode || first instanceof DotNode || first instanceof NilNode
          || first instanceof NumberNode || first instanceof StringNode) {
        throw error("non executable command in pipeline stage " + (i + 1));
      }
    }
  }

  private CommandNode command() {
    int line = peekNonSpace().line();
    List<Node> args = new ArrayList<>();
    while (true) {
      peekNonSpace();
      Node operand = operand();
      if (operand != null) {
        args.add(operand);
      }
      Token token = next();
      if (token.type() == Type.SPACE) {
        continue;
      }
      if (token.type() == Type.RIGHT_DELIM || token.type() == Type.RIGHT_PAREN) {
        backup();
      } else if (token.type() != Type.PIPE) {
        unexpected(token, "operand");
      }
      break;
    }
    if (args.isEmpty()) {
      throw error("empty command");
    }
    return new CommandNode(line, List.copyOf(args));
  }

  private Node operand() {
    Node node = term();
    if (node == null) {
      return null;
    }
    if (peek().type() == Type.FIELD) {
      List<String> fields = new ArrayList<>();
      while (peek().type() == Type.FIELD) {
        fields.add(next().value().substring(1));
      }
      if (node instanceof FieldNode f) {
        List<String> all = new ArrayList<>(f.idents());
        all.addAll(fields);
        return new FieldNode(f.line(), List.copyOf(all));
      } else if (node instanceof VariableNode v) {
        List<String> all = new ArrayList<>(v.idents());
        all.addAll(fields);
        return new VariableNode(v.line(), List.copyOf(all));
      } else if (node instanceof BoolNode || node instanceof StringNode || node instanceof NumberNode
          || node instanceof NilNode || node instanceof DotNode) {
        throw error("unexpected . after term " + GoQuote.quote(node.toString(), false));
      }
      return new ChainNode(node.line(), node, List.copyOf(fields));
    }
    return node;
  }

  private Node term() {
    Token token = nextNonSpace();
    switch (token.type()) {
      case IDENTIFIER -> {
        if (!functions.contains(token.value())) {
          throw error("function " + GoQuote.quote(token.value(), false) + " not defined");
        }
        return new IdentifierNode(token.line(), token.value());
      }
      case DOT -> {
        return new DotNode(token.line());
      }
      case NIL -> {
        return new NilNode(token.line());
      }
      case VARIABLE -> {
        if (!vars.contains(token.value())) {
          throw error("undefined variable " + GoQuote.quote(token.value(), false));
        }
        return new VariableNode(token.line(), List.of(token.value()));
      }
      case FIELD -> {
        return new FieldNode(token.line(), List.of(token.value().substring(1)));
      }
      case BOOL -> {
        return new BoolNode(token.line(), token.value().equals("true"));
      }
      case CHAR_CONSTANT, COMPLEX, NUMBER -> {
        return number(token);
      }
      case LEFT_PAREN -> {
        return pipeline("parenthesized pipeline", Type.RIGHT_PAREN);
      }
      case STRING, RAW_STRING -> {
        return new StringNode(token.line(), token.value(), unquote(token.value()));
      }
      default -> {
        backup();
        return null;
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // literals

  private NumberNode number(Token token) {
    String text = token.value();
    int line = token.line();
    if (token.type() == Type.CHAR_CONSTANT) {
      String body = unquote(text);
      if (body.codePointCount(0, body.length()) != 1) {
        throw error("malformed character constant: " + text);
      }
      long r = body.codePointAt(0);
      return new NumberNode(line, text, true, r, true, true, r);
    }
    if (token.type() == Type.COMPLEX || text.endsWith("i")) {
      throw error("complex numbers are not supported: " + text);
    }
    String clean = text.replace("_", "");
    boolean isInt = false;
    boolean isUint = false;
    long intValue = 0;
    BigInteger big = parseGoInteger(clean);
    if (big != null) {
      if (big.bitLength() < 64) {
        isInt = true;
        intValue = big.longValue();
      }
      if (big.signum() >= 0 && big.bitLength() <= 64) {
        isUint = true;
      }
    }
    boolean isFloat = false;
    double floatValue = 0;
    if (isInt) {
      isFloat = true;
      floatValue = intValue;
    } else if (isUint) {
      isFloat = true;
      floatValue = big.doubleValue();
    } else {
      Double f = parseGoFloat(clean);
      if (f != null) {
        if (!containsAny(text, ".eEpP")) {
          throw error("integer overflow: " + GoQuote.quote(text, false));
        }
        isFloat = true;
        floatValue = f;
        if (!Double.isInfinite(f) && f == Math.rint(f) && Math.abs(f) < 9.2e18) {
          isInt = true;
          intValue = (long) f.doubleValue();
        }
      }
    }
    if (!isInt && !isUint && !isFloat) {
      throw error("illegal number syntax: " + GoQuote.quote(text, false));
    }
    return new NumberNode(line, text, isInt, intValue, isUint, isFloat, floatValue);
  }

  static boolean containsAny(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return true;
      }
    }
    return false;
  }

  /** Go's {@code strconv.ParseInt(s, 0, ...)} base rules, without the range check. */
  private static BigInteger parseGoInteger(String s) {
    String t = s;
    boolean neg = false;
    if (t.startsWith("+") || t.startsWith("-")) {
      neg = t.startsWith("-");
      t = t.substring(1);
    }
    if (t.isEmpty()) {
      return null;
    }
    int radix = 10;
    String lower = t.toLowerCase();
    if (lower.startsWith("0x")) {
      radix = 16;
      t = t.substring(2);
    } else if (lower.startsWith("0o")) {
      radix = 8;
      t = t.substring(2);
    } else if (lower.startsWith("0b")) {
      radix = 2;
      t = t.substring(2);
    } else if (t.length() > 1 && t.startsWith("0")) {
      radix = 8;
      t = t.substring(1);
    }
    if (t.isEmpty()) {
      return null;
    }
    try {
      BigInteger v = new BigInteger(t, radix);
      return neg ? v.negate() : v;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Double parseGoFloat(String s) {
    String lower = s.toLowerCase();
    if (lower.contains("inf") || lower.contains("nan")) {
      return null;
    }
    String t = s;
    if ((lower.startsWith("0x") || lower.startsWith("-0x") || lower.startsWith("+0x")) && !lower.contains("p")) {
      return null;
    }
    try {
      return Double.parseDouble(t);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Go's {@code strconv.Unquote} for "..." and `...` strings and '.' character constants. */
  private String unquote(String quoted) {
    char q = quoted.charAt(0);
    String body = quoted.substring(1, quoted.length() - 1);
    if (q == '`') {
      return body.replace("\r", "");
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == q) {
        throw error("invalid syntax");
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (++i >= body.length()) {
        throw error("invalid syntax");
      }
      char e = body.charAt(i);
      switch (e) {
        case 'a' -> out.append('\u0007');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'v' -> out.append('\u000B');
        case '\\' -> out.append('\\');
        case '\'', '"' -> {
          if (e != q) {
            throw error("invalid syntax");
          }
          out.append(e);
        }
        case 'x', 'u', 'U' -> {
          int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          String hex = body.substring(i + 1, Math.min(i + 1 + n, body.length()));
          if (hex.length() != n || !hex.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)) {
            throw error("invalid syntax");
          }
          int v = Integer.parseUnsignedInt(hex, 16);
          if (e != 'x' && (v > Character.MAX_CODE_POINT || (v >= 0xD800 && v <= 0xDFFF))) {
            throw error("invalid syntax");
          }
          out.appendCodePoint(v);
          i += n;
        }
        case '0', '1', '2', '3', '4', '5', '6', '7' -> {
          String oct = body.substring(i, Math.min(i + 3, body.length()));
          if (oct.length() != 3 || !oct.chars().allMatch(ch -> ch >= '0' && ch <= '7')) {
            throw error("invalid syntax");
          }
          int v = Integer.parseInt(oct, 8);
          if (v > 255) {
            throw error("invalid syntax");
          }
          out.append((char) v);
          i += 2;
        }
        default -> throw error("invalid syntax");
      }
    }
    return out.toString();
  }
}
