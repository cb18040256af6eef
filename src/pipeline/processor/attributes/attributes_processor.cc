#include "pipeline/processor/attributes/attributes_processor.h"

#include "common/config/node.h"
#include "pipeline/processor/internal/attribute_actions.h"
#include "pipeline/processor/internal/batch_edit.h"
#include "pipeline/processor/internal/match_properties.h"

namespace th::pipeline {
namespace {

class AttributesProcessor final : public Processor {
 public:
  AttributesProcessor(processor::AttributeActions actions, processor::SpanSelector selector,
                      TracesConsumer* next)
      : actions_(std::move(actions)), selector_(std::move(selector)), next_(next) {}

  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, Done done) override {
    model::SpanBatch& b = *batch;
    processor::AttributeEditor editor(b);
    bool changed = false;
    for (uint32_t i = 0; i < b.span_count(); ++i) {
      if (!selector_.empty() && !selector_.Selects(b, i)) continue;
      changed |= editor.Apply(actions_, &b.spans.attributes[i]);
    }
    if (changed) processor::MarkModified(b);
    next_->ConsumeTraces(std::move(batch), std::move(done));
  }

 private:
  processor::AttributeActions actions_;
  processor::SpanSelector selector_;
  TracesConsumer* next_;
};

}  // namespace

ProcessorFactory MakeAttributesProcessorFactory() {
  return [](const CreateSettings&, const config::Node& config,
            TracesConsumer* next) -> Result<std::unique_ptr<Processor>> {
    RETURN_IF_ERROR(config.CheckKeys({"actions", "include", "exclude"}));
    ASSIGN_OR_RETURN(processor::AttributeActions actions,
                     processor::AttributeActions::Parse(config["actions"]));
    if (actions.actions().empty()) return config.Error("missing required field \"actions\"");
    ASSIGN_OR_RETURN(processor::SpanSelector selector, processor::SpanSelector::Parse(config));
    return std::unique_ptr<Processor>(
        new AttributesProcessor(std::move(actions), std::move(selector), next));
  };
}

}  // namespace th::pipeline
