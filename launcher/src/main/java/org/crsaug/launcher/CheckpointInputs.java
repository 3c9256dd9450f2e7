package org.crsaug.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.crsaug.data.dataset.TitleIndex;
import org.crsaug.model.encoder.TextEncoder;
import org.crsaug.model.encoder.TextEncoders;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.model.checkpoint.LoadedCheckpoint;
import org.crsaug.schema.Item;

/** What scoring new dialogues with a checkpoint needs besides the model: item titles and the encoder. */
final class CheckpointInputs implements AutoCloseable {

    final Map<String, Item> items = new HashMap<>();
    final TitleIndex titles;
    final TextEncoder encoder;

    CheckpointInputs(Platform platform, LoadedCheckpoint model) {
        String dataset = model.checkpoint().getDataset();
        try (TopicFollower<Item> f = new TopicFollower<>(platform, Topics.ITEMS, "crs-cli-items")) {
            f.catchUp(r -> {
                if (r.value() != null && r.value().getDataset().equals(dataset)) {
                    items.put(r.key(), r.value());
                }
            }, Duration.ofMinutes(2));
        }
        titles = TitleIndex.of(items.values());
        Path cache = platform.config().modelCache();
        encoder = TextEncoders.create(platform.config(), cache);
        model.requireEncoder(encoder);
    }

    String title(String itemId) {
        Item i = items.get(itemId);
        return i == null ? itemId : i.getTitle();
    }

    @Override
    public void close() {
        encoder.close();
    }
}
