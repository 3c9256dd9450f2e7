package org.crsaug.scorer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Judgement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes paid judgements to the compacted {@code judgements} topic with a plain idempotent producer
 * (not the stream's transactional one), waiting for the acknowledgement. Every replica's global
 * judgement store follows that topic, so whichever replica judges the context again after a crash
 * finds them. A judgement can be written twice (the crash came after the write, the retry found the
 * cache not yet loaded); the topic is compacted by the same key, so that costs bytes, not money.
 */
public final class KafkaJudgementJournal implements JudgementJournal {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaJudgementJournal.class);

    private final KafkaProducer<String, Judgement> producer;
    private final String topic;

    public KafkaJudgementJournal(Platform platform) {
        this.producer = platform.producer(Topics.JUDGEMENTS, "scorer-judgement-journal");
        this.topic = platform.config().topic(Topics.JUDGEMENTS);
    }

    @Override
    public boolean record(List<Judgement> paid) {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (Judgement j : paid) {
            acks.add(producer.send(new ProducerRecord<>(topic, j.getCacheKey(), j)));
        }
        try {
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
            return true;
        } catch (ExecutionException e) {
            // they then travel in the context's transaction as without a journal
            LOG.warn("Could not write {} paid judgements to {} ahead of the transaction: {}", paid.size(), topic,
                    e.getCause().toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
