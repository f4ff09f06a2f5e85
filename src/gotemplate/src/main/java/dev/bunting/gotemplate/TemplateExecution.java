package dev.bunting.gotemplate;

import dev.bunting.gotemplate.Node.ActionNode;
import dev.bunting.gotemplate.Node.BoolNode;
import dev.bunting.gotemplate.Node.BranchNode;
import dev.bunting.gotemplate.Node.BreakNode;
import dev.bunting.gotemplate.Node.ChainNode;
import dev.bunting.gotemplate.Node.CommandNode;
import dev.bunting.gotemplate.Node.ContinueNode;
import dev.bunting.gotemplate.Node.DotNode;
import dev.bunting.gotemplate.Node.FieldNode;
import dev.bunting.gotemplate.Node.IdentifierNode;
import dev.bunting.gotemplate.Node.ListNode;
import dev.bunting.gotemplate.Node.NilNode;
import dev.bunting.gotemplate.Node.NumberNode;
import dev.bunting.gotemplate.Node.PipeNode;
import dev.bunting.gotemplate.Node.StringNode;
import dev.bunting.gotemplate.Node.TextNode;
import dev.bunting.gotemplate.Node.VariableNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One execution of a parsed template, after Go's {@code text/template/exec.go} with
 * {@code missingkey=error}. Holds the output and the variable stack; not reusable.
 */
final class TemplateExecution {

  /** Marks "no value piped in from the previous command" (Go's {@code missingVal}). */
  private static final Object MISSING = new Object();

  private static final class Break extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final Break INSTANCE = new Break();

    private Break() {
      super(null, null, false, false);
    }
  }

  private static final class Continue extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final Continue INSTANCE = new Continue();

    private Continue() {
      super(null, null, false, false);
    }
  }

  private static final class Variable {
    final String name;
    Object value;

    Variable(String name, Object value) {
      this.name = name;
      this.value = value;
    }
  }

  private final Map<String, ?> functions;
  private final StringBuilder out = new StringBuilder();
  private final List<Variable> vars = new ArrayList<>();
  private int line = 1;

  TemplateExecution(Map<String, ?> functions) {
    this.functions = functions;
  }

  String run(ListNode root, Object dot) {
    Object data = normalize(dot);
    vars.add(new Variable("$", data));
    walk(data, root);
    return out.toString();
  }

  private TemplateException error(String message) {
    return new TemplateException(line, message);
  }

  /** Gives Java values their Go shape: integral numbers as Long, floats as Double. */
  static Object normalize(Object value) {
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Float f) {
      return f.doubleValue();
    }
    return value;
  }

  // -------------------------------------------------------------------------------------------
  // statements

  private void walk(Object dot, Node node) {
    line = node.line();
    if (node instanceof ActionNode action) {
      Object value = evalPipeline(dot, action.pipe());
      if (action.pipe().decl().isEmpty()) {
        out.append(value == null ? "<no value>" : GoFormat.valueString(value));
      }
    } else if (node instanceof TextNode text) {
      out.append(text.text());
    } else if (node instanceof ListNode list) {
      for (Node n : list.nodes()) {
        walk(dot, n);
      }
    } else if (node instanceof BranchNode branch) {
      if (branch.kind() == BranchNode.Kind.RANGE) {
        walkRange(dot, branch);
      } else {
        walkIfOrWith(dot, branch);
      }
    } else if (node instanceof BreakNode) {
      throw Break.INSTANCE;
    } else if (node instanceof ContinueNode) {
      throw Continue.INSTANCE;
    } else {
      throw error("unknown node: " + node);
    }
  }

  private void walkIfOrWith(Object dot, BranchNode branch) {
    int mark = vars.size();
    try {
      Object value = evalPipeline(dot, branch.pipe());
      if (BuiltinFunctions.isTrue(value)) {
        walk(branch.kind() == BranchNode.Kind.WITH ? value : dot, branch.list());
      } else if (branch.elseList() != null) {
        walk(dot, branch.elseList());
      }
    } finally {
      pop(mark);
    }
  }

  private void walkRange(Object dot, BranchNode range) {
    int outer = vars.size();
    try {
      Object value = evalPipeline(dot, range.pipe());
      int mark = vars.size();
      PipeNode pipe = range.pipe();
      boolean ran = false;
      if (value instanceof List<?> list) {
        for (int i = 0; i < list.size(); i++) {
          ran = true;
          if (!oneIteration(pipe, range.list(), mark, (long) i, normalize(list.get(i)))) {
            break;
          }
        }
      } else if (value instanceof Map<?, ?> map) {
        Map<String, Object> sorted = new TreeMap<>();
        map.forEach((k, v) -> sorted.put(String.valueOf(k), v));
        for (Map.Entry<String, Object> e : sorted.entrySet()) {
          ran = true;
          if (!oneIteration(pipe, range.list(), mark, e.getKey(), normalize(e.getValue()))) {
            break;
          }
        }
      } else if (value instanceof Long n) {
        if (pipe.decl().size() > 1) {
          line = range.line();
          throw error("can't use " + n + " to iterate over more than one variable");
        }
        for (long i = 0; i < n; i++) {
          ran = true;
          if (!oneIteration(pipe, range.list(), mark, i, i)) {
            break;
          }
        }
      } else if (value != null) {
        line = range.line();
        throw error("range can't iterate over " + GoFormat.valueString(value));
      }
      if (!ran && range.elseList() != null) {
        walk(dot, range.elseList());
      }
    } finally {
      pop(outer);
    }
  }

  /** Runs the body once; returns false when the body hit {@code {{break}}}. */
  private boolean oneIteration(PipeNode pipe, ListNode body, int mark, Object index, Object elem) {
    List<VariableNode> decl = pipe.decl();
    if (!decl.isEmpty()) {
      if (pipe.isAssign()) {
        setVar(decl.get(0).idents().get(0), decl.size() > 1 ? index : elem);
      } else {
        vars.get(vars.size() - 1).value = elem;
      }
    }
    if (decl.size() > 1) {
      if (pipe.isAssign()) {
        setVar(decl.get(1).idents().get(0), elem);
      } else {
        vars.get(vars.size() - 2).value = index;
      }
    }
    try {
      walk(elem, body);
    } catch (Continue c) {
      // next iteration
    } catch (Break b) {
      return false;
    } finally {
      pop(mark);
    }
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // variables

  private void push(String name, Object value) {
    vars.add(new Variable(name, value));
  }

  private void pop(int mark) {
    while (vars.size() > mark) {
      vars.remove(vars.size() - 1);
    }
  }

  private void setVar(String name, Object value) {
    for (int i = vars.size() - 1; i >= 0; i--) {
      if (vars.get(i).name.equals(name)) {
        vars.get(i).value = value;
        return;
      }
    }
    throw error("undefined variable: " + name);
  }

  private Object varValue(String name) {
    for (int i = vars.size() - 1; i >= 0; i--) {
      if (vars.get(i).name.equals(name)) {
        return vars.get(i).value;
      }
    }
    throw error("undefined variable: " + name);
  }

  // -------------------------------------------------------------------------------------------
  // expressions

  private Object evalPipeline(Object dot, PipeNode pipe) {
    line = pipe.line();
    Object value = MISSING;
    for (CommandNode cmd : pipe.cmds()) {
      value = evalCommand(dot, cmd, value);
    }
    for (VariableNode variable : pipe.decl()) {
      if (pipe.isAssign()) {
        setVar(variable.idents().get(0), value);
      } else {
        push(variable.idents().get(0), value);
      }
    }
    return value;
  }

  private Object evalCommand(Object dot, CommandNode cmd, Object fin) {
    Node first = cmd.args().get(0);
    line = first.line();
    if (first instanceof FieldNode field) {
      return evalFieldChain(dot, dot, field.idents(), cmd.args(), fin);
    } else if (first instanceof ChainNode chain) {
      return evalChain(dot, chain, cmd.args(), fin);
    } else if (first instanceof IdentifierNode ident) {
      return evalFunction(dot, ident, cmd.args(), fin);
    } else if (first instanceof PipeNode pipe) {
      notAFunction(cmd.args(), fin);
      return evalPipeline(dot, pipe);
    } else if (first instanceof VariableNode variable) {
      return evalVariable(dot, variable, cmd.args(), fin);
    }
    notAFunction(cmd.args(), fin);
    if (first instanceof BoolNode b) {
      return b.value();
    } else if (first instanceof DotNode) {
      return dot;
    } else if (first instanceof NilNode) {
      throw error("nil is not a command");
    } else if (first instanceof NumberNode n) {
      return idealConstant(n);
    } else if (first instanceof StringNode s) {
      return s.text();
    }
    throw error("can't evaluate command " + GoQuote.quote(first.toString(), false));
  }

  private void notAFunction(List<Node> args, Object fin) {
    if ((args != null && args.size() > 1) || fin != MISSING) {
      throw error("can't give argument to non-function " + args.get(0));
    }
  }

  private Object idealConstant(NumberNode n) {
    line = n.line();
    String text = n.text();
    boolean hexInt = text.length() > 2 && text.charAt(0) == '0' && (text.charAt(1) == 'x' || text.charAt(1) == 'X')
        && !TemplateParser.containsAny(text, "pP");
    boolean runeInt = text.startsWith("'");
    if (n.isFloat() && !hexInt && !runeInt && TemplateParser.containsAny(text, ".eEpP")) {
      return n.floatValue();
    }
    if (n.isInt()) {
      return n.intValue();
    }
    if (n.isUint()) {
      throw error(text + " overflows int");
    }
    return null;
  }

  private Object evalChain(Object dot, ChainNode chain, List<Node> args, Object fin) {
    if (chain.node() instanceof NilNode) {
      throw error("indirection through explicit nil in " + chain);
    }
    Object receiver = evalArg(dot, chain.node());
    line = chain.line();
    return evalFieldChain(dot, receiver, chain.fields(), args, fin);
  }

  private Object evalVariable(Object dot, VariableNode variable, List<Node> args, Object fin) {
    line = variable.line();
    Object value = varValue(variable.idents().get(0));
    if (variable.idents().size() == 1) {
      notAFunction(args, fin);
      return value;
    }
    return evalFieldChain(dot, value, variable.idents().subList(1, variable.idents().size()), args, fin);
  }

  private Object evalFieldChain(Object dot, Object receiver, List<String> idents, List<Node> args, Object fin) {
    Object current = receiver;
    int n = idents.size();
    for (int i = 0; i < n - 1; i++) {
      current = evalField(idents.get(i), null, MISSING, current);
    }
    return evalField(idents.get(n - 1), args, fin, current);
  }

  private Object evalField(String fieldName, List<Node> args, Object fin, Object receiver) {
    if (receiver == null) {
      throw error("nil data; no entry for key " + GoQuote.quote(fieldName, false));
    }
    boolean hasArgs = (args != null && args.size() > 1) || fin != MISSING;
    if (receiver instanceof Map<?, ?> map) {
      if (hasArgs) {
        throw error(fieldName + " is not a method but has arguments");
      }
      if (!map.containsKey(fieldName)) {
        throw error("map has no entry for key " + GoQuote.quote(fieldName, false));
      }
      return normalize(map.get(fieldName));
    }
    throw error("can't evaluate field " + fieldName + " in type " + GoFormat.typeName(receiver));
  }

  /** Evaluates a node used as an argument (Go's evalArg for an {@code any} parameter). */
  private Object evalArg(Object dot, Node n) {
    line = n.line();
    if (n instanceof BoolNode b) {
      return b.value();
    } else if (n instanceof DotNode) {
      return dot;
    } else if (n instanceof FieldNode field) {
      return evalFieldChain(dot, dot, field.idents(), null, MISSING);
    } else if (n instanceof IdentifierNode ident) {
      return evalFunction(dot, ident, null, MISSING);
    } else if (n instanceof NilNode) {
      return null;
    } else if (n instanceof NumberNode number) {
      return idealConstant(number);
    } else if (n instanceof StringNode s) {
      return s.text();
    } else if (n instanceof VariableNode variable) {
      return evalVariable(dot, variable, null, MISSING);
    } else if (n instanceof PipeNode pipe) {
      return evalPipeline(dot, pipe);
    } else if (n instanceof ChainNode chain) {
      return evalChain(dot, chain, null, MISSING);
    }
    throw error("can't handle " + n + " as an argument");
  }

  /**
   * Calls a function. {@code cmdArgs} is the whole command (function node first) or null when the function
   * is itself an argument of another call.
   */
  private Object evalFunction(Object dot, IdentifierNode ident, List<Node> cmdArgs, Object fin) {
    String name = ident.name();
    line = ident.line();
    List<Node> argNodes = cmdArgs == null ? List.of() : cmdArgs.subList(1, cmdArgs.size());
    int numIn = argNodes.size() + (fin != MISSING ? 1 : 0);
    if (functions.containsKey(name)) {
      Object f = functions.get(name);
      if (f instanceof TemplateFunction function) {
        List<Object> values = evalArgs(dot, argNodes, fin);
        line = ident.line();
        try {
          return normalize(function.call(values));
        } catch (TemplateException e) {
          throw e;
        } catch (Exception e) {
          throw error("error calling " + name + ": " + e.getMessage());
        }
      }
      if (numIn != 0) {
        throw error("wrong number of args for " + name + ": want 0 got " + numIn);
      }
      return normalize(f);
    }
    BuiltinFunctions.Arity arity = BuiltinFunctions.ARITY.get(name);
    if (arity == null) {
      throw error(GoQuote.quote(name, false) + " is not a defined function");
    }
    if (arity.variadic() && numIn < arity.fixed()) {
      throw error("wrong number of args for " + name + ": want at least " + arity.fixed() + " got "
          + argNodes.size());
    } else if (!arity.variadic() && numIn != arity.fixed()) {
      throw error("wrong number of args for " + name + ": want " + arity.fixed() + " got " + numIn);
    }
    if (name.equals("and") || name.equals("or")) {
      return andOr(dot, name.equals("or"), argNodes, fin);
    }
    List<Object> values;
    if (name.equals("printf")) {
      values = new ArrayList<>();
      if (argNodes.isEmpty()) {
        values.add(formatString(fin));
        fin = MISSING;
      } else {
        values.add(formatArg(dot, argNodes.get(0)));
        argNodes = argNodes.subList(1, argNodes.size());
      }
      values.addAll(evalArgs(dot, argNodes, fin));
    } else {
      values = evalArgs(dot, argNodes, fin);
    }
    line = ident.line();
    try {
      return BuiltinFunctions.call(name, values);
    } catch (BuiltinFunctions.BuiltinError e) {
      throw error("error calling " + name + ": " + e.getMessage());
    }
  }

  private List<Object> evalArgs(Object dot, List<Node> argNodes, Object fin) {
    List<Object> values = new ArrayList<>(argNodes.size() + 1);
    for (Node arg : argNodes) {
      values.add(evalArg(dot, arg));
    }
    if (fin != MISSING) {
      values.add(fin);
    }
    return values;
  }

  /** {@code and} / {@code or}: evaluate arguments in order, stop at the first falsy / truthy one. */
  private Object andOr(Object dot, boolean or, List<Node> argNodes, Object fin) {
    Object v = null;
    for (Node arg : argNodes) {
      v = evalArg(dot, arg);
      if (BuiltinFunctions.isTrue(v) == or) {
        return v;
      }
    }
    if (fin != MISSING) {
      v = fin;
    }
    return v;
  }

  /** printf's first parameter is a Go {@code string}: literals must be strings, values must be strings. */
  private String formatArg(Object dot, Node n) {
    line = n.line();
    if (n instanceof StringNode s) {
      return s.text();
    }
    if (n instanceof NilNode) {
      throw error("cannot assign nil to string");
    }
    if (n instanceof FieldNode || n instanceof VariableNode || n instanceof PipeNode || n instanceof IdentifierNode
        || n instanceof ChainNode) {
      return formatString(evalArg(dot, n));
    }
    throw error("expected string; found " + n);
  }

  private String formatString(Object value) {
    if (value instanceof String s) {
      return s;
    }
    throw error("wrong type for value; expected string; got " + GoFormat.typeName(value));
  }
}
