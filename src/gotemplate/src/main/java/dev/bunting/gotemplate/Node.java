package dev.bunting.gotemplate;

import java.util.List;
import java.util.stream.Collectors;

/** The parse tree of a template, after Go's {@code text/template/parse} node types. */
sealed interface Node {

  /** The 1-based source line of the node. */
  int line();

  /** A sequence of nodes. */
  record ListNode(int line, List<Node> nodes) implements Node {}

  /** Plain text copied to the output. */
  record TextNode(int line, String text) implements Node {}

  /** {@code {{ pipeline }}}: evaluated and printed unless the pipeline declares variables. */
  record ActionNode(int line, PipeNode pipe) implements Node {}

  /** {@code if}, {@code with} and {@code range}. */
  record BranchNode(int line, Kind kind, PipeNode pipe, ListNode list, ListNode elseList) implements Node {
    enum Kind { IF, WITH, RANGE }
  }

  /** {@code {{break}}}. */
  record BreakNode(int line) implements Node {}

  /** {@code {{continue}}}. */
  record ContinueNode(int line) implements Node {}

  /** Pseudo-nodes the parser uses for {@code {{else}}} and {@code {{end}}}. */
  record ElseNode(int line) implements Node {
    @Override
    public String toString() {
      return "{{else}}";
    }
  }

  /** See {@link ElseNode}. */
  record EndNode(int line) implements Node {
    @Override
    public String toString() {
      return "{{end}}";
    }
  }

  /** A pipeline with optional declarations: {@code $x := a | b c}. */
  record PipeNode(int line, boolean isAssign, List<VariableNode> decl, List<CommandNode> cmds) implements Node {
    @Override
    public String toString() {
      StringBuilder b = new StringBuilder();
      if (!decl.isEmpty()) {
        b.append(decl.stream().map(VariableNode::toString).collect(Collectors.joining(", ")));
        b.append(isAssign ? " = " : " := ");
      }
      b.append(cmds.stream().map(CommandNode::toString).collect(Collectors.joining(" | ")));
      return b.toString();
    }
  }

  /** One stage of a pipeline: an operand followed by arguments. */
  record CommandNode(int line, List<Node> args) implements Node {
    @Override
    public String toString() {
      return args.stream()
          .map(a -> a instanceof PipeNode ? "(" + a + ")" : a.toString())
          .collect(Collectors.joining(" "));
    }
  }

  /** A function name. */
  record IdentifierNode(int line, String name) implements Node {
    @Override
    public String toString() {
      return name;
    }
  }

  /** {@code $x.a.b}: the first identifier is the variable name (with {@code $}). */
  record VariableNode(int line, List<String> idents) implements Node {
    @Override
    public String toString() {
      return String.join(".", idents);
    }
  }

  /** {@code .a.b}: fields of dot. */
  record FieldNode(int line, List<String> idents) implements Node {
    @Override
    public String toString() {
      return idents.stream().map(i -> "." + i).collect(Collectors.joining());
    }
  }

  /** {@code (pipeline).a.b} or {@code function.a.b}. */
  record ChainNode(int line, Node node, List<String> fields) implements Node {
    @Override
    public String toString() {
      String base = node instanceof PipeNode ? "(" + node + ")" : node.toString();
      return base + fields.stream().map(f -> "." + f).collect(Collectors.joining());
    }
  }

  /** {@code .} */
  record DotNode(int line) implements Node {
    @Override
    public String toString() {
      return ".";
    }
  }

  /** {@code nil} */
  record NilNode(int line) implements Node {
    @Override
    public String toString() {
      return "nil";
    }
  }

  /** {@code true} or {@code false}. */
  record BoolNode(int line, boolean value) implements Node {
    @Override
    public String toString() {
      return Boolean.toString(value);
    }
  }

  /**
   * A number or character constant, with the integer and float interpretations Go computes at parse time.
   */
  record NumberNode(int line, String text, boolean isInt, long intValue, boolean isUint, boolean isFloat,
      double floatValue) implements Node {
    @Override
    public String toString() {
      return text;
    }
  }

  /** A quoted string; {@code quoted} is the source form, {@code text} the unquoted value. */
  record StringNode(int line, String quoted, String text) implements Node {
    @Override
    public String toString() {
      return quoted;
    }
  }
}
