"""Closing the loop 闭环 (SPEC §8, §11): STAR-L case reviews 复盘, the root-cause tree, the journey
map's touchpoints, improvement actions with their measured effect, team practice figures and the
opportunities a complaint opens (提升与挖掘). Rules are :mod:`kesu.core.reviews`; writes are
:mod:`kesu.reviews.services`, reads :mod:`kesu.reviews.selectors`, pages under ``/reviews/``."""
