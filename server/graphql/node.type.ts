import { Field, ID, InterfaceType } from 'type-graphql';

/**
 * Relay's Global Object Identification: every object with an `id` that `node(id:)` can fetch
 * again. docpipe's ids are already globally unique (UUIDv7 from one generator for documents and
 * jobs), so they are the global ids as they are: no re-encoding, and every id a client holds
 * today works with `node`.
 */
@InterfaceType('Node', {
  description: 'An object with a globally unique id, fetched again with `node(id:)`.',
  // A document has a file name; a job has the id of its document.
  resolveType: (value: object) => ('filename' in value ? 'Document' : 'Job'),
})
export abstract class NodeInterface {
  @Field(() => ID, { description: 'Globally unique: pass it to `node(id:)`.' })
  id!: string;
}
