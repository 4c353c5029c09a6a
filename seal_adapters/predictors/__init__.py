"""What every task's predictor shares: the text predictor base, readable outputs, input
lines, and the fit of allennlp's predictors to an archive (predictor_match). Each task's
predictor lives in its task folder, registered under the model's name, so `allennlp predict`
on an archive needs no `--predictor` flag. The wrappers of allennlp's predict machinery here
(predictor_match, input_lines) are installed with every other wrapper by
`seal_adapters.training.allennlp_hooks`."""
