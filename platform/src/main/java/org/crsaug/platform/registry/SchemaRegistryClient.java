package org.crsaug.platform.registry;

import org.apache.avro.Schema;

/**
 * The subset of the Confluent Schema Registry REST protocol the pipeline needs. Implementations
 * cache by id and by (subject, schema) so the hot path makes no HTTP calls.
 */
public interface SchemaRegistryClient {

    /** Registers (or finds) the schema under the subject and returns its global id. */
    int register(String subject, Schema schema);

    /** The schema with that global id; throws {@link SchemaRegistryException} when unknown. */
    Schema getById(int id);

    /** Latest version registered under the subject. */
    RegisteredSchema latest(String subject);

    /** Whether the schema may be registered under the subject under its compatibility rule. */
    boolean isCompatible(String subject, Schema schema);

    record RegisteredSchema(String subject, int version, int id, Schema schema) {
    }
}
