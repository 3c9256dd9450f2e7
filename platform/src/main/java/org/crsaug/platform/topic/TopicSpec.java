package org.crsaug.platform.topic;

import org.apache.avro.specific.SpecificRecord;

/**
 * A topic's contract: its base name, value type and retention. Keys are always stable string ids
 * so that compaction and replays line up.
 */
public record TopicSpec<V extends SpecificRecord>(String baseName, Class<V> valueType, boolean compacted) {

    /** The physical name in a given namespace ("" for the default one). */
    public String name(String prefix) {
        return prefix == null || prefix.isEmpty() ? baseName : prefix + baseName;
    }
}
