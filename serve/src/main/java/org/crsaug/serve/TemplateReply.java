package org.crsaug.serve;

import java.util.List;

/** A plain sentence presenting recommended items, for when no language model is configured. */
public final class TemplateReply {

    private TemplateReply() {
    }

    public static String present(List<RecommendationEngine.RecommendedItem> items) {
        if (items.isEmpty()) {
            return "I have nothing new to suggest yet; tell me a bit more about what you like.";
        }
        List<String> names = items.stream().limit(3).map(TemplateReply::name).toList();
        String list = switch (names.size()) {
            case 1 -> names.get(0);
            case 2 -> names.get(0) + " or " + names.get(1);
            default -> names.get(0) + ", " + names.get(1) + " or " + names.get(2);
        };
        return "From what you have told me, you might enjoy " + list + ".";
    }

    static String name(RecommendationEngine.RecommendedItem item) {
        // titles usually carry their year already; add it only when they do not
        if (item.year() != null && !item.title().contains("(" + item.year() + ")")) {
            return item.title() + " (" + item.year() + ")";
        }
        return item.title();
    }
}
