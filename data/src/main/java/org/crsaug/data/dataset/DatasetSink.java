package org.crsaug.data.dataset;

import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;

/**
 * Where readers deliver what they parse. Readers call {@link #item} for the whole catalogue before
 * the first {@link #dialogue}, so a consumer can check every mentioned item id against items it has
 * already seen. Bad lines arrive as {@link #failure} and never end the read.
 */
public interface DatasetSink {

    void item(Item item);

    void dialogue(Dialogue dialogue);

    void failure(ParseFailure failure);
}
