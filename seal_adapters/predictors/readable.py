"""A predictor whose output for an instance is built from the instance and the model's output
(`_readable`), the same for one instance and a batch."""
from allennlp.common.util import JsonDict
from allennlp.data import Instance
from allennlp.predictors import Predictor


class ReadablePredictor(Predictor):
    """Not registered; subclasses define `_readable(instance, output) -> JsonDict`."""

    def _readable(self, instance: Instance, output: JsonDict) -> JsonDict:
        raise NotImplementedError

    def predict_instance(self, instance: Instance) -> JsonDict:
        return self._readable(instance, super().predict_instance(instance))

    def predict_batch_instance(self, instances):
        outputs = super().predict_batch_instance(instances)
        return [self._readable(i, o) for i, o in zip(instances, outputs)]
