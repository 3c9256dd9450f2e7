package org.crsaug.model.llm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.data.item.ItemText;

/**
 * The judging prompt, kept as a resource file ({@code prompts/<name>.txt}) with a system part and a
 * user part. Its version is the name plus a hash of the text, so an edited prompt never reuses
 * judgements cached under the old wording.
 */
public final class PromptTemplate {

    private static final String SYSTEM_MARK = "=== SYSTEM ===";
    private static final String USER_MARK = "=== USER ===";
    private static final String OPEN = "<<<CONVERSATION";
    private static final String CLOSE = "CONVERSATION>>>";

    private final String name;
    private final String system;
    private final String user;
    private final String version;

    PromptTemplate(String name, String text) {
        this(name, text, true);
    }

    /** @param listsCandidates whether the prompt shows items to the model ({{CANDIDATES}} required) or only asks */
    private PromptTemplate(String name, String text, boolean listsCandidates) {
        int s = text.indexOf(SYSTEM_MARK);
        int u = text.indexOf(USER_MARK);
        if (s < 0 || u < s || !text.contains("{{DIALOGUE}}") || listsCandidates && !text.contains("{{CANDIDATES}}")) {
            throw new ConfigException("Prompt " + name + " must have '" + SYSTEM_MARK + "' then '" + USER_MARK
                    + "' sections and the {{DIALOGUE}}" + (listsCandidates ? " and {{CANDIDATES}} placeholders"
                    : " placeholder"));
        }
        this.name = name;
        this.system = text.substring(s + SYSTEM_MARK.length(), u).strip();
        this.user = text.substring(u + USER_MARK.length()).strip();
        this.version = name + "@" + ItemText.contentHash(text).substring(0, 8);
    }

    /** @param key the setting that named the prompt, put in front of any error so the user knows what to fix */
    public static PromptTemplate load(String key, String name) {
        try {
            return load(name);
        } catch (ConfigException e) {
            throw new ConfigException(key + "=" + name + ": " + e.getMessage() + "; the prompts are resources"
                    + " under prompts/ of the jar of the stage that uses them", e);
        }
    }

    public static PromptTemplate load(String name) {
        return load(name, true);
    }

    /**
     * A prompt that shows the model no items and asks it to name some ({{COUNT}} of them), such as the
     * zero-shot recommender's; {@link #user(String, int)} fills it.
     */
    public static PromptTemplate loadWithoutCandidates(String key, String name) {
        try {
            return load(name, false);
        } catch (ConfigException e) {
            throw new ConfigException(key + "=" + name + ": " + e.getMessage() + "; the prompts are resources"
                    + " under prompts/ of the jar of the stage that uses them", e);
        }
    }

    private static PromptTemplate load(String name, boolean listsCandidates) {
        String resource = "prompts/" + name + ".txt";
        try (InputStream in = PromptTemplate.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new ConfigException("No prompt named '" + name + "' (looked for resource " + resource + ")");
            }
            return new PromptTemplate(name, new String(in.readAllBytes(), StandardCharsets.UTF_8), listsCandidates);
        } catch (IOException e) {
            throw new ConfigException("Cannot read prompt resource " + resource + ": " + e.getMessage());
        }
    }

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }

    public String system() {
        return system;
    }

    /**
     * The user message for one batch. The dialogue is fenced as quoted data; fence markers inside
     * it are defused so a dialogue cannot close the quote and pose as instructions.
     */
    public String user(String dialogue, List<String> candidateLines) {
        String quoted = defuse(dialogue);
        StringBuilder list = new StringBuilder();
        for (String line : candidateLines) {
            list.append("- ").append(line).append('\n');
        }
        return user.replace("{{DIALOGUE}}", quoted)
                .replace("{{CANDIDATES}}", list.toString().stripTrailing())
                .replace("{{COUNT}}", Integer.toString(candidateLines.size()));
    }

    /** The user message of a prompt without candidates, asking for {@code count} answers. */
    public String user(String dialogue, int count) {
        return user.replace("{{DIALOGUE}}", defuse(dialogue)).replace("{{COUNT}}", Integer.toString(count));
    }

    private static String defuse(String dialogue) {
        return dialogue.replace(OPEN, "<< <CONVERSATION").replace(CLOSE, "CONVERSATION> >>");
    }

    /** Sent after an unusable reply, naming exactly the candidates still needed. */
    public String repair(String problem, List<String> names) {
        return "Your previous answer could not be used: " + problem + ". Reply again with only one JSON object"
                + " that maps each of these " + names.size() + " candidates, written exactly as here, to a score"
                + " from 0 to 4: " + String.join("; ", names) + ".";
    }
}
