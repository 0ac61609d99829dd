// A consumer controller is the first of the three consumer layers: it knows the contract, takes
// `@Payload() event, @Ctx() ctx` and hands both to the application layer. Anything else in it (a
// helper method, a property holding a function or state, a handler that lost its decorator) is
// logic in the Kafka adapter, which the idempotent wrapper and the use case should own.
import { AST_NODE_TYPES, TSESTree } from '@typescript-eslint/utils';
import { createRule } from '../create-rule';
import { findImport, ImportedBinding, refersTo, repoPath } from '../imports';

/** Where `OnEvent` comes from: the messaging lib (today its root entry; a Nest-only subpath may follow). */
const ON_EVENT_SOURCES = ['@paystate/messaging', '@paystate/messaging/nest'];
/** The one place handlers live, by the layout the conventions describe. */
const CONSUMER_FILE = /(^|\/)infrastructure\/messaging\/[^/]+\.consumer\.ts$/;

type Member = TSESTree.ClassElement;

function memberLabel(member: Member, text: (n: TSESTree.Node) => string): string {
  if (member.type === AST_NODE_TYPES.StaticBlock || member.type === AST_NODE_TYPES.TSIndexSignature) return 'static';
  const key = member.key;
  if (member.computed) return `[${text(key)}]`;
  if (key.type === AST_NODE_TYPES.Identifier) return key.name;
  if (key.type === AST_NODE_TYPES.PrivateIdentifier) return `#${key.name}`;
  return key.type === AST_NODE_TYPES.Literal ? String(key.value) : text(key);
}

export const consumerControllerOnlyOnEvent = createRule({
  name: 'consumer-controller-only-on-event',
  meta: {
    type: 'problem',
    docs: { description: 'A consumer controller holds only @OnEvent handlers (and its constructor); the logic lives in the application layer.' },
    schema: [],
    messages: {
      notAHandler:
        "'{{name}}' is not an @OnEvent handler. A consumer controller only routes each event to the application layer: " +
        'move this logic into a use case under application/ and call it from the handler, or, if it handles an event, ' +
        'decorate it with @OnEvent(Contract) from @paystate/messaging.',
      property:
        "'{{name}}' is a property of a consumer controller, which holds only @OnEvent handlers: " +
        'collaborators come in through the constructor, logic lives in a use case under application/.',
      staticBlock: 'A consumer controller holds only @OnEvent handlers: no static initialisation; logic lives in a use case under application/.',
      misplaced:
        '@OnEvent handlers live in a consumer controller, apps/<service>/src/infrastructure/messaging/<name>.consumer.ts, ' +
        'which only routes each event to the application layer.',
    },
  },
  defaultOptions: [],
  create(context) {
    const sourceCode = context.sourceCode;
    const inConsumerFile = CONSUMER_FILE.test(repoPath(context.filename, context.cwd));
    let onEvent: ImportedBinding = { specifiers: [], namespaces: [] };

    const isOnEvent = (d: TSESTree.Decorator): boolean => {
      const target = d.expression.type === AST_NODE_TYPES.CallExpression ? d.expression.callee : d.expression;
      return refersTo(target, onEvent, 'OnEvent');
    };
    const decoratorsOf = (m: Member): TSESTree.Decorator[] => ('decorators' in m ? m.decorators : []);
    const isHandler = (m: Member): boolean => decoratorsOf(m).some(isOnEvent);

    const checkClass = (node: TSESTree.ClassDeclaration | TSESTree.ClassExpression): void => {
      const members = node.body.body;
      const handlers = members.filter(isHandler);
      if (!inConsumerFile) {
        // a handler outside a consumer file is reported where it is; its class is then checked too,
        // so an HTTP controller that grew an @OnEvent method shows both problems
        for (const m of handlers) for (const d of decoratorsOf(m).filter(isOnEvent)) context.report({ node: d, messageId: 'misplaced' });
        if (handlers.length === 0) return;
      }
      for (const m of members) {
        const name = memberLabel(m, (n) => sourceCode.getText(n));
        switch (m.type) {
          case AST_NODE_TYPES.MethodDefinition:
            if (m.kind === 'constructor' || (m.kind === 'method' && !m.static && isHandler(m))) continue;
            // an overload signature has no body: its implementation is the member that counts
            if (m.value.type === AST_NODE_TYPES.TSEmptyBodyFunctionExpression) continue;
            context.report({ node: m.key, messageId: 'notAHandler', data: { name } });
            break;
          case AST_NODE_TYPES.TSAbstractMethodDefinition:
            context.report({ node: m.key, messageId: 'notAHandler', data: { name } });
            break;
          case AST_NODE_TYPES.PropertyDefinition:
          case AST_NODE_TYPES.TSAbstractPropertyDefinition:
          case AST_NODE_TYPES.AccessorProperty:
          case AST_NODE_TYPES.TSAbstractAccessorProperty:
            context.report({ node: m.key, messageId: 'property', data: { name } });
            break;
          case AST_NODE_TYPES.StaticBlock:
            context.report({ node: m, messageId: 'staticBlock' });
            break;
          case AST_NODE_TYPES.TSIndexSignature:
            // a type, no code
            break;
        }
      }
    };

    return {
      Program(program) {
        onEvent = findImport(program, ON_EVENT_SOURCES, 'OnEvent');
      },
      ClassDeclaration: checkClass,
      ClassExpression: checkClass,
    };
  },
});
