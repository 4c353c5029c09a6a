// SEAL model pieces: the three models, their losses, per-side optimizers and data paths.
// A task config imports this with lib/embedder.libsonnet and lib/trainer.libsonnet and only
// picks its reader, model and data.
local embedder = import 'embedder.libsonnet';

{
  // Weight of the TaskNN's score term (per label / token), as the models' default.
  default_score_loss_weight:: 0.1,

  // ScoreNN losses (model.scorenn_loss): nce (default) | dvn | margin.
  nce(num_samples=10):: { type: 'nce', num_samples: num_samples },
  dvn(num_samples=10):: { type: 'dvn', num_samples: num_samples },
  margin(num_samples=0):: { type: 'margin', num_samples: num_samples },

  // Options shared by the three models. score_loss_weight 0 = TaskNN cross-entropy only
  // (no ScoreNN head, channel or loss; the embedder then needs only the tasknn adapter).
  local common(model_name, adapters, mismatched, score_loss_weight, scorenn_loss, dropout) = {
    text_field_embedder: embedder.text_field_embedder(model_name, adapters=adapters,
                                                      mismatched=mismatched),
    score_loss_weight: score_loss_weight,
    dropout: dropout,
    [if score_loss_weight > 0 then 'scorenn_loss']: scorenn_loss,
  },

  text_classifier(model_name, adapters=embedder.default_adapters,
                  score_loss_weight=$.default_score_loss_weight, scorenn_loss=$.nce(),
                  pooler='mean', dropout=0.1):: common(
    model_name, adapters, false, score_loss_weight, scorenn_loss, dropout
  ) + { type: 'seal_text_classifier', pooler: pooler },

  multilabel_classifier(model_name, adapters=embedder.default_adapters,
                        score_loss_weight=$.default_score_loss_weight, scorenn_loss=$.nce(),
                        pooler='mean', dropout=0.1, threshold=0.5):: common(
    model_name, adapters, false, score_loss_weight, scorenn_loss, dropout
  ) + { type: 'seal_multilabel_classifier', pooler: pooler, threshold: threshold },

  tagger(model_name, adapters=embedder.default_adapters,
         score_loss_weight=$.default_score_loss_weight, scorenn_loss=$.nce(), dropout=0.1,
         label_encoding='BIO'):: common(
    model_name, adapters, true, score_loss_weight, scorenn_loss, dropout
  ) + { type: 'seal_tagger', label_encoding: label_encoding },

  // One AdamW, a learning rate per side: parameter names hold their side's adapter name
  // (adapter weights "...adapters.tasknn...", heads "heads.tasknn..."), so the regexes
  // split them; parameters of neither side get `lr`.
  per_side_optimizer(tasknn_lr, scorenn_lr, lr=1e-3, weight_decay=0.01):: {
    type: 'adamw',
    lr: lr,
    weight_decay: weight_decay,
    parameter_groups: [
      [['.*tasknn.*'], { lr: tasknn_lr }],
      [['.*scorenn.*'], { lr: scorenn_lr }],
    ],
  },

  // Data paths from the environment: SEAL_TRAIN, SEAL_VALIDATION and SEAL_TEST. jsonnet has
  // no default for a missing variable, so SEAL_TEST must be set: to a file to evaluate on it
  // after training (metrics.json gets test_* entries), or to '' to skip the test set.
  data_paths()::
    local test = std.extVar('SEAL_TEST');
    {
      train_data_path: std.extVar('SEAL_TRAIN'),
      validation_data_path: std.extVar('SEAL_VALIDATION'),
      [if test != '' then 'test_data_path']: test,
      evaluate_on_test: test != '',
    },
}
