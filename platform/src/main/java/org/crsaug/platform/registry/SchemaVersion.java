package org.crsaug.platform.registry;

/** One version of a subject: its global schema id and the schema in Avro's compact JSON form. */
record SchemaVersion(String subject, int version, int id, String schema) {
}
