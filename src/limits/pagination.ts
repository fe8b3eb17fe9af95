// Relay connections state their page size in the schema (the first/last
// argument descriptions) and refuse what they will not do, instead of capping
// `first: 1000` to 100 in silence or accepting `first` and `last` together:
// a negative count, a count over PAGE_MAX, or first and last at once is a
// BAD_USER_INPUT error naming the argument, the maximum, and the path of the
// connection field.
//
// Checked before execution, over the operation and its variables: the Prisma
// plugin resolves a nested connection inside its parent's query (company →
// customers is one findUnique), so a check in the connection's own resolver
// would run too late — the parent would already have failed, nulling `company`.
import type { Plugin } from "graphql-yoga";
import { createGraphQLError } from "graphql-yoga";
import {
  getArgumentValues,
  getNamedType,
  isObjectType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type GraphQLError,
  type GraphQLSchema,
} from "graphql";

/** Largest page a connection returns; larger `first`/`last` are refused. */
export const PAGE_MAX = 100;
/** Page size without `first` or `last`. */
export const PAGE_DEFAULT = 20;

export const FIRST_DESCRIPTION = `Returns the first n items (0–${PAGE_MAX}; default ${PAGE_DEFAULT}). More than ${PAGE_MAX}, a negative n, or first together with last is refused with BAD_USER_INPUT.`;
export const LAST_DESCRIPTION = `Returns the last n items (0–${PAGE_MAX}). More than ${PAGE_MAX}, a negative n, or last together with first is refused with BAD_USER_INPUT.`;

function isConnectionType(name: string, schema: GraphQLSchema): boolean {
  const type = schema.getType(name);
  return isObjectType(type) && name.endsWith("Connection") && "pageInfo" in type.getFields() && "edges" in type.getFields();
}

/** The faults in one operation's connection arguments (empty when it is fine). */
export function paginationErrors(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>): GraphQLError[] {
  const errors: GraphQLError[] = [];
  const typeInfo = new TypeInfo(schema);
  const path: string[] = [];
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node: FieldNode) {
          path.push(node.alias?.value ?? node.name.value);
          const def = typeInfo.getFieldDef();
          if (!def || !isConnectionType(getNamedType(def.type).name, schema)) return;
          if (!def.args.some((a) => a.name === "first") || !def.args.some((a) => a.name === "last")) return;
          let args: { first?: number | null; last?: number | null };
          try {
            args = getArgumentValues(def, node, variables) as typeof args;
          } catch {
            return; // malformed values are reported by GraphQL's own coercion
          }
          const refuse = (field: "first" | "last", message: string) =>
            errors.push(
              createGraphQLError(`${path.join(".")}: ${message}`, {
                nodes: node.arguments?.find((a) => a.name.value === field) ?? node,
                extensions: { code: "BAD_USER_INPUT", field, max: PAGE_MAX },
              }),
            );
          const { first, last } = args;
          if (first != null && last != null) refuse("last", "first and last cannot be used together; page forwards with first/after or backwards with last/before.");
          for (const field of ["first", "last"] as const) {
            const n = args[field];
            if (n == null) continue;
            if (n < 0) refuse(field, `${field} must be 0 or more (got ${n}).`);
            else if (n > PAGE_MAX) refuse(field, `${field} is at most ${PAGE_MAX} (got ${n}); page through with after/before.`);
          }
        },
        leave() {
          path.pop();
        },
      },
      // Fragment bodies are visited where they are defined; their fields are named from the fragment.
      FragmentDefinition: {
        enter(node) {
          path.push(`...${node.name.value}`);
        },
        leave() {
          path.pop();
        },
      },
      OperationDefinition: {
        enter(node) {
          if (node.kind === Kind.OPERATION_DEFINITION) path.length = 0;
        },
      },
    }),
  );
  return errors;
}

/** Yoga plugin: refuses bad connection arguments before anything runs (HTTP 200, errors, no data). */
export function usePaginationLimits(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const errors = paginationErrors(args.schema, args.document as DocumentNode, (args.variableValues ?? {}) as Record<string, unknown>);
      if (errors.length) setResultAndStopExecution({ errors });
    },
  };
}
