"""Streamlit helpers shared by the pages. The only part of rnnlib that imports streamlit."""
