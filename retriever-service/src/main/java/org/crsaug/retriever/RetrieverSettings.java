package org.crsaug.retriever;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.crsaug.common.config.CrsConfig;

/** Retriever knobs, read once from configuration. */
public record RetrieverSettings(int topK, int contextMaxChars, Set<String> candidateSplits) {

    public static RetrieverSettings fromConfig(CrsConfig config) {
        int k = config.getInt("retriever.top.k");
        if (k < 1) {
            throw new org.crsaug.common.config.ConfigException("retriever.top.k must be at least 1, got " + k);
        }
        Set<String> splits = Arrays.stream(config.get("retriever.candidate.splits").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
        return new RetrieverSettings(k, config.getInt("retriever.context.max.chars"), splits);
    }
}
