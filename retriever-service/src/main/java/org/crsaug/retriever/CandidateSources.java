package org.crsaug.retriever;

/** Builds the source named by {@code retriever.source} from the shared index and statistics. */
public final class CandidateSources {

    private CandidateSources() {
    }

    /** @param contextMean used only when the settings ask for centring */
    public static CandidateSource create(RetrieverSettings settings, ItemIndex index, ContextMean contextMean,
            CoMentionIndex coMentions) {
        CandidateSource semantic = new SemanticSource(index, settings.centre() ? contextMean : null);
        return switch (settings.source()) {
            case CandidateSource.SEMANTIC -> semantic;
            case CandidateSource.COLLABORATIVE -> new CollaborativeSource(coMentions, true);
            // popularity filler would crowd out semantic items for contexts without seeds
            case CandidateSource.FUSION -> new FusionSource(semantic, new CollaborativeSource(coMentions, false));
            default -> throw new IllegalArgumentException("Unknown candidate source " + settings.source());
        };
    }
}
