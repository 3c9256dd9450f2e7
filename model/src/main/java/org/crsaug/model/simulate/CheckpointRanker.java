package org.crsaug.model.simulate;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.EncoderText;
import org.crsaug.model.checkpoint.LoadedCheckpoint;
import org.crsaug.model.encoder.TextEncoder;
import org.crsaug.schema.Item;

/**
 * A checkpoint as the recommender a seeker talks to: each dialogue is rendered and encoded exactly as
 * the retriever, {@code crs evaluate} and {@code crs serve} do, and scored by the loaded model with its
 * mentioned items as the collaborative input. Dialogues are encoded and scored in one batch per turn.
 */
public final class CheckpointRanker implements TurnRanker {

    private final LoadedCheckpoint model;
    private final TextEncoder encoder;
    private final Map<String, Item> items;
    private final EncoderText encoderText;

    /** Fails unless the encoder is the one the checkpoint was trained with. */
    public CheckpointRanker(LoadedCheckpoint model, TextEncoder encoder, Map<String, Item> items,
            EncoderText encoderText) {
        model.requireEncoder(encoder);
        this.model = model;
        this.encoder = encoder;
        this.items = items;
        this.encoderText = encoderText;
    }

    @Override
    public List<String> itemIds() {
        return model.catalogue().itemIds();
    }

    @Override
    public float[][] score(List<DialogueContext> dialogues) {
        if (dialogues.isEmpty()) {
            return new float[0][];
        }
        List<String> texts = dialogues.stream()
                .map(d -> encoderText.of(d, items)).toList();
        float[][] vectors = encoder.encodeQueries(texts);
        int[][] mentioned = new int[dialogues.size()][];
        for (int i = 0; i < mentioned.length; i++) {
            mentioned[i] = dialogues.get(i).mentionedInOrder().stream().map(model.catalogue()::position)
                    .filter(OptionalInt::isPresent).mapToInt(OptionalInt::getAsInt).toArray();
        }
        return model.score(vectors, mentioned);
    }
}
