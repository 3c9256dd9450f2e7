package org.crsaug.launcher;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.retriever.RetrieverService;
import org.crsaug.scorer.ScorerService;
import org.crsaug.serve.LlmReplyWriter;
import org.crsaug.trainer.TrainerService;

/**
 * The checks each part makes of its settings when it is built, made before a command starts anything. Each
 * value's type and range is checked when the configuration loads ({@code SettingRegistry}); what only a part
 * knows (an LLM judge needs a URL, a model, a key in the environment and an existing prompt; an encoder name
 * and its endpoint; the trainer's modes) used to surface when that part was built, after the dataset had been
 * ingested.
 */
final class SettingsCheck {

    /** The parts a command will build. */
    enum Part { RETRIEVER, SCORER, TRAINER, SERVE }

    static final Set<Part> PIPELINE = EnumSet.of(Part.RETRIEVER, Part.SCORER, Part.TRAINER);

    private SettingsCheck() {
    }

    /** @throws ConfigException naming the setting; a part's own argument errors are reported the same way */
    static void before(CrsConfig config, Set<Part> parts) {
        Map<String, String> env = System.getenv();
        try {
            for (Part part : parts) {
                switch (part) {
                    case RETRIEVER -> RetrieverService.checkSettings(config, env);
                    case SCORER -> ScorerService.checkSettings(config, env);
                    case TRAINER -> TrainerService.checkSettings(config);
                    case SERVE -> LlmReplyWriter.checkSettings(config, env);
                }
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }
}
