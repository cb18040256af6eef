#include "pipeline/processor/resource/resource_processor.h"

#include "common/config/node.h"
#include "pipeline/processor/internal/attribute_actions.h"
#include "pipeline/processor/internal/batch_edit.h"

namespace th::pipeline {
namespace {

class ResourceProcessor final : public Processor {
 public:
  ResourceProcessor(processor::AttributeActions actions, TracesConsumer* next)
      : actions_(std::move(actions)), next_(next) {}

  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, Done done) override {
    model::SpanBatch& b = *batch;
    processor::AttributeEditor editor(b);
    bool changed = false;
    for (model::Resource& r : b.resources) changed |= editor.Apply(actions_, &r.attributes);
    if (changed) processor::MarkModified(b);
    next_->ConsumeTraces(std::move(batch), std::move(done));
  }

 private:
  processor::AttributeActions actions_;
  TracesConsumer* next_;
};

}  // namespace

ProcessorFactory MakeResourceProcessorFactory() {
  return [](const CreateSettings&, const config::Node& config,
            TracesConsumer* next) -> Result<std::unique_ptr<Processor>> {
    RETURN_IF_ERROR(config.CheckKeys({"attributes"}));
    ASSIGN_OR_RETURN(processor::AttributeActions actions,
                     processor::AttributeActions::Parse(config["attributes"]));
    if (actions.actions().empty()) return config.Error("missing required field \"attributes\"");
    return std::unique_ptr<Processor>(new ResourceProcessor(std::move(actions), next));
  };
}

}  // namespace th::pipeline
