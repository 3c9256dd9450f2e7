package org.crsaug.data.item;

import java.util.List;
import org.crsaug.schema.Item;

/** The one description of an item that encoders and judges see. */
public final class ItemText {

    private ItemText() {
    }

    /** Title, then genres, people and plot when known; an item without metadata is its title alone. */
    public static String describe(Item item) {
        StringBuilder sb = new StringBuilder(item.getTitle().strip());
        appendList(sb, "Genres", item.getGenres());
        appendList(sb, "Directed by", item.getDirectors());
        appendList(sb, "Starring", item.getStars().subList(0, Math.min(4, item.getStars().size())));
        if (item.getPlot() != null && !item.getPlot().isBlank()) {
            sb.append(". ").append(item.getPlot().strip());
        }
        return sb.toString();
    }

    private static void appendList(StringBuilder sb, String label, List<String> values) {
        if (!values.isEmpty()) {
            sb.append(". ").append(label).append(": ").append(String.join(", ", values));
        }
    }

    /** A stable hash of the described text: a changed description means a new embedding. */
    public static String contentHash(String text) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            byte[] d = md.digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d, 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
