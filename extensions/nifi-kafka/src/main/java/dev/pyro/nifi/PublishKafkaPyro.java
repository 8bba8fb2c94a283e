package dev.pyro.nifi;

import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.nifi.annotation.behavior.DynamicProperty;
import org.apache.nifi.annotation.behavior.InputRequirement;
import org.apache.nifi.annotation.behavior.SupportsSensitiveDynamicProperties;
import org.apache.nifi.annotation.behavior.WritesAttribute;
import org.apache.nifi.annotation.behavior.WritesAttributes;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.annotation.lifecycle.OnScheduled;
import org.apache.nifi.annotation.lifecycle.OnStopped;
import org.apache.nifi.components.AllowableValue;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.ValidationContext;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.components.Validator;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.AbstractProcessor;
import org.apache.nifi.processor.DataUnit;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.util.StandardValidators;

@Tags({"kafka", "publish", "put", "send", "message", "pyro"})
@InputRequirement(InputRequirement.Requirement.INPUT_REQUIRED)
@CapabilityDescription("Sends each flowfile's content to a Kafka topic, as one record or cut into records at a "
        + "demarcator, through an idempotent producer (kafka-clients). A flowfile goes to success only after the "
        + "broker acknowledged every one of its records as the Delivery Guarantee asks; on any error it goes to "
        + "failure, penalized, and the error is logged. Delivery is at least once: a flowfile retried after a partial "
        + "failure sends its first records again. pyro's own publisher, for NiFi installations without the Kafka NARs.")
@WritesAttributes({
    @WritesAttribute(attribute = PublishKafkaPyro.ATTR_TOPIC, description = "The topic the flowfile's records were sent to"),
    @WritesAttribute(attribute = PublishKafkaPyro.ATTR_COUNT, description = "How many records the flowfile was sent as")
})
@DynamicProperty(name = "A Kafka producer setting, e.g. security.protocol", value = "Its value",
        description = "Passed to the Kafka producer as is (security.protocol, sasl.mechanism, sasl.jaas.config, "
                + "ssl.truststore.location, compression.type, linger.ms ...). Settings the processor's own properties "
                + "own cannot be set this way.",
        expressionLanguageScope = ExpressionLanguageScope.ENVIRONMENT)
@SupportsSensitiveDynamicProperties
public class PublishKafkaPyro extends AbstractProcessor {

    static final String ATTR_TOPIC = "kafka.topic";
    static final String ATTR_COUNT = "kafka.count";

    static final AllowableValue ACKS_ALL = new AllowableValue("all", "Guarantee Replicated Delivery",
            "Every in-sync replica has the record. The only setting under which the producer is idempotent.");
    static final AllowableValue ACKS_LEADER = new AllowableValue("1", "Guarantee Single Node Delivery",
            "The partition leader wrote the record; it is lost if the leader fails before a follower copies it.");
    static final AllowableValue ACKS_NONE = new AllowableValue("0", "Best Effort",
            "No answer is awaited: a flowfile goes to success once its records were written to the network.");

    static final PropertyDescriptor KAFKA_BROKERS = new PropertyDescriptor.Builder()
            .name("Kafka Brokers")
            .displayName("Kafka Brokers")
            .description("Comma-separated host:port list of brokers to bootstrap from.")
            .required(true)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.HOSTNAME_PORT_LIST_VALIDATOR)
            .build();

    static final PropertyDescriptor TOPIC = new PropertyDescriptor.Builder()
            .name("Topic Name")
            .displayName("Topic Name")
            .description("The topic to send to; may use the flowfile's attributes.")
            .required(true)
            .expressionLanguageSupported(ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    static final PropertyDescriptor DELIVERY_GUARANTEE = new PropertyDescriptor.Builder()
            .name("Delivery Guarantee")
            .displayName("Delivery Guarantee")
            .description("The producer's acks: what the broker must have done before a record counts as delivered.")
            .required(true)
            .allowableValues(ACKS_ALL, ACKS_LEADER, ACKS_NONE)
            .defaultValue(ACKS_ALL.getValue())
            .build();

    static final PropertyDescriptor MESSAGE_DEMARCATOR = new PropertyDescriptor.Builder()
            .name("Message Demarcator")
            .displayName("Message Demarcator")
            .description("When set, each piece of the content between two demarcators is one record (empty pieces "
                    + "are skipped); unset, the whole content is one record. \\n, \\r, \\t and \\\\ stand for their "
                    + "characters, so \\n sends one record per line.")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
            .addValidator(Validator.VALID)
            .build();

    static final PropertyDescriptor BATCH_SIZE = new PropertyDescriptor.Builder()
            .name("Batch Size")
            .displayName("Batch Size")
            .description("The most flowfiles sent in one session; their records travel together and are "
                    + "acknowledged before any of them is routed.")
            .required(true)
            .defaultValue("100")
            .addValidator(StandardValidators.POSITIVE_INTEGER_VALIDATOR)
            .build();

    static final PropertyDescriptor MAX_REQUEST_SIZE = new PropertyDescriptor.Builder()
            .name("Max Request Size")
            .displayName("Max Request Size")
            .description("The largest request the producer sends (max.request.size), so the largest record; a "
                    + "larger record sends its flowfile to failure. The broker's own limit (message.max.bytes) "
                    + "still applies.")
            .required(true)
            .defaultValue("1 MB")
            .addValidator(StandardValidators.DATA_SIZE_VALIDATOR)
            .build();

    static final Relationship REL_SUCCESS = new Relationship.Builder()
            .name("success")
            .description("Flowfiles whose every record Kafka acknowledged")
            .build();

    static final Relationship REL_FAILURE = new Relationship.Builder()
            .name("failure")
            .description("Flowfiles of which a record could not be sent or was not acknowledged (penalized)")
            .build();

    private static final List<PropertyDescriptor> PROPERTIES =
            List.of(KAFKA_BROKERS, TOPIC, DELIVERY_GUARANTEE, MESSAGE_DEMARCATOR, BATCH_SIZE, MAX_REQUEST_SIZE);
    private static final Set<Relationship> RELATIONSHIPS = Set.of(REL_SUCCESS, REL_FAILURE);

    /** Producer settings the properties own or the processor's logic depends on: not settable as dynamic properties. */
    private static final Set<String> OWN_SETTINGS = Set.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            ProducerConfig.ACKS_CONFIG,
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.TRANSACTIONAL_ID_CONFIG);

    /**
     * Defaults a dynamic property may override. Short waits: with the brokers away, send() blocks for metadata up to
     * max.block.ms and an accepted record fails after delivery.timeout.ms, and a session holds its flowfiles that
     * long. A small linger and 64 KiB batches trade 5 ms of latency for far fewer requests.
     */
    private static final Map<String, Object> DEFAULT_SETTINGS = Map.of(
            ProducerConfig.LINGER_MS_CONFIG, "5",
            ProducerConfig.BATCH_SIZE_CONFIG, "65536",
            ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000",
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000",
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");

    private volatile Producer<byte[], byte[]> producer;
    private volatile String brokers;
    private volatile long maxRequestSize;
    /** How long to wait for the answers: the producer answers every record within delivery.timeout.ms. */
    private volatile long answerWaitMillis;

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTIES;
    }

    @Override
    public Set<Relationship> getRelationships() {
        return RELATIONSHIPS;
    }

    @Override
    protected PropertyDescriptor getSupportedDynamicPropertyDescriptor(String name) {
        return new PropertyDescriptor.Builder()
                .name(name)
                .description("Kafka producer setting " + name)
                .dynamic(true)
                .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
                .addValidator(StandardValidators.NON_EMPTY_VALIDATOR)
                .build();
    }

    @Override
    protected Collection<ValidationResult> customValidate(ValidationContext context) {
        List<ValidationResult> problems = new ArrayList<>();
        for (PropertyDescriptor p : context.getProperties().keySet()) {
            if (p.isDynamic() && OWN_SETTINGS.contains(p.getName())) {
                problems.add(new ValidationResult.Builder().subject(p.getName()).valid(false)
                        .explanation("the processor sets " + p.getName() + " itself (see its properties)").build());
            }
        }
        return problems;
    }

    @OnScheduled
    public void createProducer(ProcessContext context) {
        Map<String, Object> settings = new HashMap<>(DEFAULT_SETTINGS);
        for (Map.Entry<PropertyDescriptor, String> e : context.getProperties().entrySet()) {
            if (e.getKey().isDynamic() && e.getValue() != null) {
                settings.put(e.getKey().getName(), context.getProperty(e.getKey()).evaluateAttributeExpressions().getValue());
            }
        }
        String acks = context.getProperty(DELIVERY_GUARANTEE).getValue();
        brokers = context.getProperty(KAFKA_BROKERS).evaluateAttributeExpressions().getValue().trim();
        maxRequestSize = context.getProperty(MAX_REQUEST_SIZE).asDataSize(DataUnit.B).longValue();
        settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        settings.put(ProducerConfig.ACKS_CONFIG, acks);
        // Idempotence needs acks=all: the producer refuses the combination with 1 or 0.
        settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, String.valueOf(ACKS_ALL.getValue().equals(acks)));
        settings.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(maxRequestSize));
        settings.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "nifi-" + getClass().getSimpleName() + "-" + getIdentifier());
        answerWaitMillis = Long.parseLong(String.valueOf(settings.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG)).trim()) + 10_000L;
        producer = new KafkaProducer<>(settings, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @OnStopped
    public void closeProducer() {
        Producer<byte[], byte[]> p = producer;
        producer = null;
        if (p != null) {
            p.close(Duration.ofSeconds(5));
        }
    }

    @Override
    public void onTrigger(ProcessContext context, ProcessSession session) {
        List<FlowFile> flowFiles = session.get(context.getProperty(BATCH_SIZE).asInteger());
        if (flowFiles.isEmpty()) {
            return;
        }
        Producer<byte[], byte[]> p = producer;
        List<Sending> sendings = new ArrayList<>();
        for (FlowFile flowFile : flowFiles) {
            Sending s = send(context, session, p, flowFile);
            sendings.add(s);
            // The brokers are away (metadata timed out): each further send would block as long again.
            if (s.error() instanceof RetriableException) {
                break;
            }
        }
        List<FlowFile> untouched = flowFiles.subList(sendings.size(), flowFiles.size());
        if (!untouched.isEmpty()) {
            session.transfer(untouched);
        }
        boolean brokerTrouble = false;
        for (Sending s : sendings) {
            Exception error = s.awaitAnswers(answerWaitMillis);
            if (error == null) {
                FlowFile sent = session.putAllAttributes(s.flowFile,
                        Map.of(ATTR_TOPIC, s.topic, ATTR_COUNT, String.valueOf(s.delivery.sent())));
                session.getProvenanceReporter().send(sent, "kafka://" + brokers + "/" + s.topic,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - s.startNanos));
                session.transfer(sent, REL_SUCCESS);
            } else {
                brokerTrouble |= error instanceof RetriableException || error instanceof TimeoutException;
                getLogger().error("Sending {} to Kafka topic {} at {} failed after {} record(s) were handed to the producer; routing to failure",
                        s.flowFile, s.topic, brokers, s.delivery.sent(), error);
                session.transfer(session.penalize(s.flowFile), REL_FAILURE);
            }
        }
        if (brokerTrouble) {
            context.yield();
        }
    }

    /** Hands the flowfile's records to the producer, stopping at the first error. */
    private Sending send(ProcessContext context, ProcessSession session, Producer<byte[], byte[]> p, FlowFile flowFile) {
        Sending s = new Sending(flowFile);
        try {
            String topic = context.getProperty(TOPIC).evaluateAttributeExpressions(flowFile).getValue();
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("Topic Name is empty for this flowfile");
            }
            s.topic = topic.trim();
            String demarcator = context.getProperty(MESSAGE_DEMARCATOR).evaluateAttributeExpressions(flowFile).getValue();
            byte[] cut = demarcator == null ? new byte[0] : RecordSplitter.demarcatorBytes(demarcator);
            try (InputStream in = session.read(flowFile)) {
                if (cut.length > 0) {
                    RecordSplitter.split(in, cut, record -> s.sendRecord(p, record));
                } else if (flowFile.getSize() > maxRequestSize) {
                    // Checked before reading: the producer would refuse it anyway, after it was read into memory.
                    throw new RecordTooLargeException("the content (" + flowFile.getSize() + " bytes) is one record "
                            + "larger than Max Request Size (" + maxRequestSize + " bytes)");
                } else {
                    s.sendRecord(p, in.readAllBytes());
                }
            }
        } catch (Exception e) {
            s.failLocally(e);
        }
        return s;
    }

    /** One flowfile on its way: its topic, the answers for its records, an error met before or while sending. */
    private static final class Sending {
        final FlowFile flowFile;
        final Delivery delivery = new Delivery();
        final long startNanos = System.nanoTime();
        String topic = "(not evaluated)";
        private Exception localError;

        Sending(FlowFile flowFile) {
            this.flowFile = flowFile;
        }

        /** Sends one record; false once any record of this flowfile failed (the rest would be wasted). */
        boolean sendRecord(Producer<byte[], byte[]> p, byte[] value) {
            delivery.sending();
            try {
                p.send(new ProducerRecord<>(topic, value), delivery);
            } catch (RuntimeException e) {
                delivery.failed(e);
            }
            return delivery.firstError() == null;
        }

        void failLocally(Exception e) {
            localError = e;
        }

        /** The first error known now, without waiting. */
        Exception error() {
            return localError != null ? localError : delivery.firstError();
        }

        /** Waits for the broker's answers; the error that sends the flowfile to failure, or null. */
        Exception awaitAnswers(long millis) {
            if (localError != null) {
                return localError;
            }
            try {
                if (!delivery.await(millis)) {
                    return new TimeoutException("no answer from Kafka for " + delivery.sent() + " record(s) within " + millis + " ms");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return e;
            }
            return delivery.firstError();
        }
    }
}
