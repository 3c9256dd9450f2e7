package org.crsaug.model.simulate;

import java.util.List;
import org.crsaug.data.context.DialogueContext;

/** The recommender under simulation: scores every catalogue item for dialogues that end with a seeker turn. */
public interface TurnRanker {

    /** The catalogue, in the order of a score row's columns. */
    List<String> itemIds();

    /** One row of scores per dialogue; higher is better. Mentioned items are removed by the caller. */
    float[][] score(List<DialogueContext> dialogues);
}
