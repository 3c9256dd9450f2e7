package org.crsaug.retriever;

import org.crsaug.data.context.EncoderText;
import org.crsaug.data.context.RetrievalText;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;

/**
 * Retriever knobs, read once from configuration.
 *
 * @param encoderMaxChars      bound on the encoder's whole text ({@link EncoderText}); 0 = none
 * @param source               which {@link CandidateSource} makes the candidates
 * @param enrichContext        encode contexts with notes about the films they mention ({@link RetrievalText})
 * @param centre               search with mean-centred item and context vectors
 * @param collaborativeSplits  dialogues of these splits feed the co-mention statistics
 * @param searchThreads        threads one batch of searches is split over ({@link ItemIndex})
 */
public record RetrieverSettings(int topK, int contextMaxChars, int encoderMaxChars, Set<String> candidateSplits,
        String source,
        boolean enrichContext, boolean centre, Set<String> collaborativeSplits, int searchThreads) {

    public static final String SOURCE_KEY = "retriever.source";
    public static final List<String> SOURCES =
            List.of(CandidateSource.SEMANTIC, CandidateSource.COLLABORATIVE, CandidateSource.FUSION);

    public static RetrieverSettings fromConfig(CrsConfig config) {
        int k = config.getInt("retriever.top.k");
        if (k < 1) {
            throw new ConfigException("retriever.top.k must be at least 1, got " + k);
        }
        String source = config.get(SOURCE_KEY).trim().toLowerCase(Locale.ROOT);
        if (!SOURCES.contains(source)) {
            throw new ConfigException("Unknown " + SOURCE_KEY + " '" + config.get(SOURCE_KEY) + "'; valid: "
                    + String.join(", ", SOURCES));
        }
        return new RetrieverSettings(k, config.getInt("retriever.context.max.chars"),
                config.getInt(EncoderText.TOTAL_MAX_CHARS_KEY), splits(config.get("retriever.candidate.splits")), source,
                config.getBoolean("retriever.context.enrich"), config.getBoolean("retriever.centre"),
                splits(config.get("retriever.collaborative.splits")), config.getInt("retriever.search.threads"));
    }

    private static Set<String> splits(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    /** How contexts become the encoder's text under these settings. */
    public EncoderText encoderText() {
        return new EncoderText(contextMaxChars, encoderMaxChars, enrichContext);
    }

    public RetrieverSettings withSource(String newSource) {
        return new RetrieverSettings(topK, contextMaxChars, encoderMaxChars, candidateSplits, newSource, enrichContext, centre,
                collaborativeSplits, searchThreads);
    }

    public RetrieverSettings withSemantic(boolean newEnrich, boolean newCentre) {
        return new RetrieverSettings(topK, contextMaxChars, encoderMaxChars, candidateSplits, source, newEnrich, newCentre,
                collaborativeSplits, searchThreads);
    }
}
